import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

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

/**
 * Checks a duration that becomes a whole number of `unit` (default seconds) in the
 * template, from `min` to `max`: sub-second, fractional and NaN durations are refused
 * here, naming the prop, instead of failing deep inside aws-cdk-lib. A token passes,
 * unless the construct computes with the value at synth time (`literal` says what for).
 * Returns the amount in `unit` (undefined for a token).
 */
export function checkDuration(
  path: string,
  prop: string,
  duration: Duration | undefined,
  bounds: { min: number; max?: number; unit?: 'seconds' | 'days'; literal?: string },
): number | undefined {
  const unit = bounds.unit ?? 'seconds';
  if (duration === undefined) {
    return undefined;
  }
  if (duration.isUnresolved()) {
    if (bounds.literal) {
      invalid(path, prop, 'a duration from a token', `must be a literal duration, because ${bounds.literal}`);
    }
    // a token cannot be converted: it must already be in the unit the template takes
    if (duration.unitLabel() !== unit) {
      invalid(path, prop, `Duration.${duration.unitLabel()}(<token>)`, `must be Duration.${unit}(...) when its amount is a token (it is not converted at synth time)`);
    }
    return undefined;
  }
  const amount = unit === 'days' ? duration.toDays({ integral: false }) : duration.toSeconds({ integral: false });
  return checkInteger(path, `${prop} (${unit})`, amount, bounds);
}

/** Refuses a token where the construct computes with the value at synth time (`why` says what for). */
export function checkLiteral(path: string, prop: string, value: number | undefined, why: string): void {
  if (value !== undefined && Token.isUnresolved(value)) {
    invalid(path, prop, Token.asString(value), `must be a literal number, because ${why}`);
  }
}

/**
 * ECS names (task definition family, container, service): "Up to 255 letters
 * (uppercase and lowercase), numbers, underscores, and hyphens are allowed" (Amazon
 * ECS API reference, RegisterTaskDefinition and CreateService). Tokens pass.
 */
export function checkEcsName(path: string, prop: string, value: string | undefined): void {
  if (value !== undefined && !Token.isUnresolved(value) && !/^[a-zA-Z0-9_-]{1,255}$/.test(value)) {
    invalid(path, prop, value, 'must be 1 to 255 letters, digits, "_" or "-" (an ECS name)');
  }
}

/** Checks the length of a string that AWS limits (tokens pass). */
export function checkLength(path: string, prop: string, value: string | undefined, bounds: { min: number; max: number; why: string }): void {
  if (value !== undefined && !Token.isUnresolved(value) && (value.length < bounds.min || value.length > bounds.max)) {
    invalid(path, prop, value.length > 60 ? `${value.slice(0, 40)}... (${value.length} characters)` : value,
      `must be ${bounds.min} to ${bounds.max} characters long (${bounds.why})`);
  }
}

/**
 * The retention periods CloudWatch Logs accepts (AWS::Logs::LogGroup RetentionInDays),
 * plus `INFINITE`: the members of `logs.RetentionDays`, which a number cast to the enum
 * (or a value from another language) may not be.
 */
export function checkLogRetention(path: string, prop: string, value: logs.RetentionDays | undefined): void {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (value !== undefined && !Token.isUnresolved(value) && !allowed.includes(value)) {
    invalid(path, prop, value, 'must be one of logs.RetentionDays (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days, or INFINITE)');
  }
}

/**
 * The characters EC2 accepts in a security group description ("a-z, A-Z, 0-9, spaces,
 * and ._-:/()#,@[]+=&;{}!$*", EC2 API reference, CreateSecurityGroup). Security groups
 * the constructs create (and aws-ecs-patterns creates for them) are described with the
 * construct path, so a construct id needs them too.
 */
const SECURITY_GROUP_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

/**
 * Checks that a construct's path can be part of the descriptions of its security
 * groups: its id, and the ids of the scopes around it, which are in the path too.
 */
export function checkConstructId(scope: IConstruct): void {
  const bad = scope.node.scopes.find((s) => !SECURITY_GROUP_DESCRIPTION.test(s.node.id));
  if (bad) {
    const whose = bad === scope ? '' : ` (the id of ${bad.node.path}, a scope around it)`;
    invalid(scope.node.path, 'id', bad.node.id,
      `may only contain letters a-z and A-Z, digits, spaces and ._-:/()#,@[]+=&;{}!$*${whose} (the construct path becomes part of EC2 security group descriptions, which allow nothing else)`);
  }
}

/**
 * `text` with each run of characters `disallowed` matches (a negated character class,
 * with the g flag) replaced by "-": for names and descriptions made from a construct
 * path, which may hold characters the service refuses.
 */
export function replaceDisallowed(text: string, disallowed: RegExp): string {
  return text.replace(disallowed, '-');
}

/** `text` cut to at most `max` characters (for descriptions made from a construct path). */
export function fitted(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/**
 * Checks a size that becomes a whole number of MiB (from `min` to `max` MiB): sizes
 * that are not whole MiB (`Size.bytes(100)`) are refused naming the prop, not by a
 * conversion error inside aws-cdk-lib. A token is refused too when the construct
 * computes with the value (`literal` says what for). Returns the MiB.
 */
export function checkMebibytes(
  path: string, prop: string, size: Size, bounds: { min: number; max: number; literal: string; allowed: string },
): number {
  if (size.isUnresolved()) {
    // (Size has no toString on the peer floor, aws-cdk-lib 2.262)
    invalid(path, prop, 'a size from a token', `must be a literal size, because ${bounds.literal}`);
  }
  const mib = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(mib) || mib < bounds.min || mib > bounds.max) {
    invalid(path, prop, `${mib} MiB`, `must be ${bounds.allowed}`);
  }
  return mib;
}

/** An email address as SNS email subscriptions need one: `name@domain` without spaces. */
export function checkEmailAddress(path: string, prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    invalid(path, prop, value, 'must be an email address (name@example.com)');
  }
}
