import { Lazy } from 'aws-cdk-lib';
import { checkFargateSize, defaultFargateMemory, FARGATE_CPU_VALUES, fargateMemoryValues } from '../src/private/fargate-sizing';

/** The Fargate task sizes every construct validates against, as AWS documents them. */

test('offers the seven cpu values of Fargate', () => {
  expect(FARGATE_CPU_VALUES).toEqual([256, 512, 1024, 2048, 4096, 8192, 16384]);
});

test.each([
  [256, [512, 1024, 2048]],
  [512, [1024, 2048, 3072, 4096]],
  [1024, [2048, 3072, 4096, 5120, 6144, 7168, 8192]],
])('cpu %i allows exactly %j MiB', (cpu, memory) => {
  expect(fargateMemoryValues(cpu)).toEqual(memory);
});

test.each([
  // cpu, first, last, count: 2 GB steps of 1 GB up to 16 GB; 8..30 GB; 16..60 GB in 4 GB; 32..120 GB in 8 GB
  [2048, 4096, 16384, 13],
  [4096, 8192, 30720, 23],
  [8192, 16384, 61440, 12],
  [16384, 32768, 122880, 12],
])('cpu %i allows %i to %i MiB, %i values', (cpu, first, last, count) => {
  const memory = fargateMemoryValues(cpu)!;
  expect([memory[0], memory[memory.length - 1], memory.length]).toEqual([first, last, count]);
});

test('accepts every documented combination, and ephemeral storage of 21 and 200 GiB', () => {
  for (const cpu of FARGATE_CPU_VALUES) {
    for (const memoryLimitMiB of fargateMemoryValues(cpu)!) {
      expect(() => checkFargateSize('Task', { cpu, memoryLimitMiB })).not.toThrow();
    }
  }
  expect(() => checkFargateSize('Task', { ephemeralStorageGiB: 21 })).not.toThrow();
  expect(() => checkFargateSize('Task', { ephemeralStorageGiB: 200 })).not.toThrow();
});

test('skips values that are tokens (known only at deploy time)', () => {
  const late = Lazy.number({ produce: () => 3 });
  expect(() => checkFargateSize('Task', { cpu: late, memoryLimitMiB: late, ephemeralStorageGiB: late })).not.toThrow();
  expect(() => checkFargateSize('Task', { cpu: 256, memoryLimitMiB: late })).not.toThrow();
});

test('names the prop with its prefix for nested options', () => {
  expect(() => checkFargateSize('Site/Task', { cpu: 256, memoryLimitMiB: 3000 }, 'nginx.'))
    .toThrow(/^Site\/Task: nginx.memoryLimitMiB must be one of 512, 1024 or 2048 for cpu 256, got 3000$/);
});

test.each([
  // cpu, at least, default: the floor where cpu allows it, else the smallest value cpu allows
  [256, 512, 512],
  [256, 2048, 2048],
  [512, 2048, 2048],
  [1024, 2048, 2048],
  [2048, 2048, 4096],
  [4096, 2048, 8192],
  [16384, 512, 32768],
])('the default memory for cpu %i and at least %i MiB is %i MiB', (cpu, atLeast, memory) => {
  expect(defaultFargateMemory(cpu, atLeast)).toBe(memory);
});

test('the default memory for a cpu that is a token or no Fargate value is the floor', () => {
  expect(defaultFargateMemory(Lazy.number({ produce: () => 1024 }), 2048)).toBe(2048);
  expect(defaultFargateMemory(300, 512)).toBe(512);
});
