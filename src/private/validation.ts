import { Token } from 'aws-cdk-lib';

/**
 * Input checks shared by every construct of the library.
 *
 * Each check throws a plain `Error` whose message names the construct path, the
 * prop, the bad value and what is allowed, so a user can fix the call without
 * reading our code. Values that are still tokens are skipped: they are only
 * known at deploy time and CloudFormation validates them then.
 */

/** Throws the library's standard validation error. */
export function invalid(path: string, prop: string, value: unknown, allowed: string): never {
  throw new Error(`${path}: ${prop} ${allowed}, got ${describe(value)}`);
}

/**
 * Checks that `value` is a whole number within [min, max] (either bound optional).
 * Returns the value for chaining; undefined and tokens pass unchanged.
 */
export function checkInteger(
  path: string,
  prop: string,
  value: number | undefined,
  bounds: { min?: number; max?: number } = {},
): number | undefined {
  if (value === undefined || Token.isUnresolved(value)) {
    return value;
  }
  const { min, max } = bounds;
  const inRange = Number.isInteger(value) && (min === undefined || value >= min) && (max === undefined || value <= max);
  if (!inRange) {
    invalid(path, prop, value, `must be ${wholeNumberRange(min, max)}`);
  }
  return value;
}

function wholeNumberRange(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) {
    return `a whole number from ${min} to ${max}`;
  }
  if (min !== undefined) {
    return `a whole number of at least ${min}`;
  }
  if (max !== undefined) {
    return `a whole number of at most ${max}`;
  }
  return 'a whole number';
}

/** Renders a value for an error message: strings quoted, arrays and objects as JSON. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (value === undefined) {
    return 'undefined';
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
