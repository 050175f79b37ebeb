import { Token } from 'aws-cdk-lib';
import { checkInteger, invalid } from './validation';
import { FargateTaskSizeProps } from '../common/task-props';

/**
 * The task sizes Fargate accepts (Linux), as AWS documents them: per cpu value, the
 * memory values (MiB) allowed, mostly a range in fixed steps.
 */
const FARGATE_SIZES: ReadonlyArray<{ cpu: number; memory: number[]; step?: number }> = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: range(1024, 4096, 1024), step: 1024 },
  { cpu: 1024, memory: range(2048, 8192, 1024), step: 1024 },
  { cpu: 2048, memory: range(4096, 16384, 1024), step: 1024 },
  { cpu: 4096, memory: range(8192, 30720, 1024), step: 1024 },
  { cpu: 8192, memory: range(16384, 61440, 4096), step: 4096 },
  { cpu: 16384, memory: range(32768, 122880, 8192), step: 8192 },
];

/** The cpu values (in CPU units, 1024 = 1 vCPU) a Fargate task may have. */
export const FARGATE_CPU_VALUES = FARGATE_SIZES.map((s) => s.cpu);

/** Fargate's ephemeral storage range in GiB (20 GiB are included; 21 is the smallest setting). */
export const EPHEMERAL_STORAGE_GIB = { min: 21, max: 200 };

/** Every memory value (MiB) Fargate accepts for a cpu value, or undefined for an invalid cpu. */
export function fargateMemoryValues(cpu: number): number[] | undefined {
  return FARGATE_SIZES.find((s) => s.cpu === cpu)?.memory;
}

/**
 * A construct's default memory for `cpu`: the smallest value Fargate allows for it that
 * is at least `atLeast` (`atLeast` itself when cpu is a token or not a Fargate value,
 * which checkFargateSize then reports).
 */
export function defaultFargateMemory(cpu: number, atLeast: number): number {
  const allowed = Token.isUnresolved(cpu) ? undefined : fargateMemoryValues(cpu);
  if (!allowed) {
    return atLeast;
  }
  return allowed.find((memory) => memory >= atLeast) ?? allowed[allowed.length - 1];
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) {
    values.push(v);
  }
  return values;
}

/** The names of the props carrying a task's size, as each construct calls them. */
export interface FargateSizeProps {
  readonly cpu?: number;
  readonly memoryLimitMiB?: number;
  readonly ephemeralStorageGiB?: number;
}

/**
 * Checks a Fargate task size at synth time: a cpu value Fargate offers, a memory value
 * allowed for that cpu, and ephemeral storage within 21..200 GiB. Values that are
 * tokens are skipped. `propPrefix` prefixes the prop names in messages (for nested props).
 */
export function checkFargateSize(path: string, size: FargateSizeProps, propPrefix = ''): void {
  const { cpu, memoryLimitMiB, ephemeralStorageGiB } = size;
  if (cpu !== undefined && !Token.isUnresolved(cpu) && !FARGATE_CPU_VALUES.includes(cpu)) {
    invalid(path, `${propPrefix}cpu`, cpu, `must be one of ${listOf(FARGATE_CPU_VALUES)} (CPU units, 1024 = 1 vCPU)`);
  }
  if (cpu !== undefined && memoryLimitMiB !== undefined && !Token.isUnresolved(cpu) && !Token.isUnresolved(memoryLimitMiB)) {
    const allowed = fargateMemoryValues(cpu)!;
    if (!allowed.includes(memoryLimitMiB)) {
      invalid(path, `${propPrefix}memoryLimitMiB`, memoryLimitMiB, `must be ${describeMemory(cpu, allowed)} for cpu ${cpu}`);
    }
  }
  checkInteger(path, `${propPrefix}ephemeralStorageGiB`, ephemeralStorageGiB, EPHEMERAL_STORAGE_GIB);
}

function describeMemory(cpu: number, allowed: number[]): string {
  const step = FARGATE_SIZES.find((s) => s.cpu === cpu)?.step;
  if (step === undefined || allowed.length <= 4) {
    return `one of ${listOf(allowed)}`;
  }
  return `from ${allowed[0]} to ${allowed[allowed.length - 1]} in steps of ${step}`;
}

function listOf(values: number[]): string {
  return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** A task size with the construct's defaults applied, checked. */
export interface ResolvedFargateSize {
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly ephemeralStorageGiB?: number;
}

/**
 * The task size a construct runs with: its props, or its defaults (`cpu`, and memory of
 * at least `memoryAtLeast` MiB that Fargate allows for that cpu), checked with
 * checkFargateSize.
 */
export function resolveFargateSize(
  path: string,
  props: FargateTaskSizeProps & { readonly ephemeralStorageGiB?: number },
  defaults: { readonly cpu: number; readonly memoryAtLeast: number },
): ResolvedFargateSize {
  const cpu = props.cpu ?? defaults.cpu;
  const memoryLimitMiB = props.memoryLimitMiB ?? defaultFargateMemory(cpu, defaults.memoryAtLeast);
  const size = { cpu, memoryLimitMiB, ephemeralStorageGiB: props.ephemeralStorageGiB };
  checkFargateSize(path, size);
  return size;
}
