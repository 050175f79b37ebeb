import { CfnParameter, Duration, Lazy, RemovalPolicy, Size, Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
import fc from 'fast-check';
import { IMAGE } from './fixtures';
import { LoadBalancedScalingService, ScheduledFargateEtl, SsmDecoupledVpc, WordpressFargateSite } from '../../src';

/**
 * fast-check arbitraries for the props of every construct, as a new user would type them.
 *
 * Each prop has one arbitrary (a line in a construct's table below) that mixes valid
 * values, edge values (the ends of what is allowed) and invalid ones (negatives, NaN,
 * fractions, zero, huge numbers, empty and over-long strings, sub-second and multi-day
 * durations, tokens, ...). A construct's arbitrary sets a few of its props at a time,
 * so that most cases are a short, readable call, and fast-check shrinks a failure to
 * the props that matter.
 *
 * A generated value is an {@link Input}: the code a user writes and a function that
 * builds it in a stack (many props are constructs: a VPC, a bucket, a certificate).
 * Counterexamples print as that code, ready to become a bad-input row.
 */

// ------------------------------------------------------------------------------------
// Inputs

/** A value as a user writes it: its source code, and how to build it in a stack. */
export class Input<T = unknown> {
  constructor(public readonly code: string, public readonly build: (stack: Stack) => T) {}

  public [fc.toStringMethod](): string {
    return this.code;
  }

  public toString(): string {
    return this.code;
  }
}

/** A literal value (numbers, strings, booleans, arrays and objects of them). */
export function lit<T>(value: T, source = literalCode(value)): Input<T> {
  return new Input(source, () => value);
}

/** A value built from code, in the stack. */
export function expr<T>(source: string, build: (stack: Stack) => T): Input<T> {
  return new Input(source, build);
}

function literalCode(value: unknown): string {
  if (typeof value === 'number') {
    return Number.isNaN(value) ? 'NaN' : Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'string') {
    // long strings print as the expression that makes them, so counterexamples stay readable
    const repeated = /^(.)\1{40,}$/su.exec(value);
    return repeated ? `${JSON.stringify(repeated[1])}.repeat(${[...value].length})` : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => literalCode(v)).join(', ')}]`;
  }
  if (value && typeof value === 'object') {
    return `{ ${Object.entries(value).map(([k, v]) => `${propertyKey(k)}: ${literalCode(v)}`).join(', ')} }`;
  }
  return String(value);
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

/** The construct `id` in `stack`, or the one `create` makes (props share a VPC this way). */
function once<T extends IConstruct>(stack: Stack, id: string, create: () => T): T {
  return (stack.node.tryFindChild(id) as T | undefined) ?? create();
}

// ------------------------------------------------------------------------------------
// Props: a table of per-prop arbitraries becomes an object of some of them

/** One arbitrary per prop. */
export type PropTable = Record<string, fc.Arbitrary<Input>>;

/** The props a case sets, with their inputs. */
export interface PropsInput {
  readonly inputs: Record<string, Input>;
  /** Every prop name the case sets, nested ones as `scaling.minCapacity` and `scaling.schedules[0].id`. */
  readonly names: string[];
}

/**
 * An object that sets each prop of `table` with probability `presence` (the others
 * omitted, as users mostly omit them), plus the `required` ones always.
 */
export function propsOf(table: PropTable, options: { presence?: number; required?: PropTable } = {}): fc.Arbitrary<Input<any>> {
  const absentWeight = Math.round((1 - (options.presence ?? 0.2)) * 100);
  const presentWeight = 100 - absentWeight;
  const optional = Object.fromEntries(Object.entries(table).map(([name, arb]) => [name, fc.oneof(
    { withCrossShrink: true },
    { weight: absentWeight, arbitrary: fc.constant(undefined) },
    { weight: presentWeight, arbitrary: arb },
  )]));
  return fc.record({ ...(options.required ?? {}), ...optional } as Record<string, fc.Arbitrary<Input | undefined>>)
    .map((record) => objectInput(Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, Input>));
}

/** An object literal of inputs, e.g. `{ minCapacity: 2, schedules: [...] }`. */
export function objectInput(inputs: Record<string, Input>): Input<any> & { readonly inputs: Record<string, Input> } {
  const entries = Object.entries(inputs);
  const source = entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${v.code}`).join(', ')} }`;
  return Object.assign(new Input(source, (stack) => Object.fromEntries(entries.map(([k, v]) => [k, v.build(stack)]))), { inputs });
}

/** An array literal of inputs. */
export function arrayInput(items: Input[]): Input<any[]> & { readonly items: Input[] } {
  return Object.assign(new Input(`[${items.map((i) => i.code).join(', ')}]`, (stack) => items.map((i) => i.build(stack))), { items });
}

/**
 * Every prop name an input sets: `scaling`, `scaling.schedules`, `scaling.schedules[0]`,
 * `scaling.schedules[0].id`, ... A literal object or list (`containerHealthCheck`,
 * `subnetConfiguration`) is one name; `leafPropNames` lists those.
 */
export function leafPropNames(input: Input, prefix = ''): string[] {
  const nested = input as Partial<{ inputs: Record<string, Input>; items: Input[] }>;
  if (nested.inputs || (nested.items && prefix)) {
    const children = nested.inputs ? Object.entries(nested.inputs) : nested.items!.map((item, i) => [`[${i}]`, item] as const);
    return children.flatMap(([k, v]) => leafPropNames(v, k.startsWith('[') ? `${prefix}${k}` : prefix ? `${prefix}.${k}` : k));
  }
  return prefix ? [prefix] : [];
}

export function propNames(input: Input, prefix = ''): string[] {
  const nested = input as Partial<{ inputs: Record<string, Input>; items: Input[] }>;
  if (nested.inputs) {
    return Object.entries(nested.inputs).flatMap(([k, v]) => {
      const name = prefix ? `${prefix}.${k}` : k;
      return [name, ...propNames(v, name)];
    });
  }
  if (nested.items && prefix) {
    return nested.items.flatMap((item, i) => [`${prefix}[${i}]`, ...propNames(item, `${prefix}[${i}]`)]);
  }
  return [];
}

// ------------------------------------------------------------------------------------
// Building blocks: numbers, strings, durations, sizes

/** Picks one of the inputs; the valid ones weigh `validWeight` times as much as the others. */
function pick(valid: Input[], invalid: Input[], validWeight = 3): fc.Arbitrary<Input> {
  const arbitraries: Array<fc.WeightedArbitrary<Input>> = [];
  if (valid.length > 0) arbitraries.push({ weight: validWeight, arbitrary: fc.constantFrom(...valid) });
  if (invalid.length > 0) arbitraries.push({ weight: 1, arbitrary: fc.constantFrom(...invalid) });
  return fc.oneof({ withCrossShrink: true }, ...arbitraries);
}

/** A number that is only known at deploy time: a CloudFormation parameter. */
function parameterNumber(name: string, defaultValue: number): Input<number> {
  return expr(`new CfnParameter(stack, '${name}', { type: 'Number', default: ${defaultValue} }).valueAsNumber`,
    (stack) => once(stack, name, () => new CfnParameter(stack, name, { type: 'Number', default: defaultValue })).valueAsNumber);
}

/** A number that is computed late (a token that resolves to a literal at synth time). */
function lazyNumber(value: number): Input<number> {
  return expr(`Lazy.number({ produce: () => ${value} })`, () => Lazy.number({ produce: () => value }));
}

/** The numbers users mistype: negative, zero, fractions, NaN, infinity, huge. */
const BAD_NUMBERS = [-1, 0, 0.5, 1.5, NaN, Infinity, -Infinity, 1e9, Number.MAX_SAFE_INTEGER + 2];

/**
 * A whole number from `min` to `max`: values inside, both ends, one outside each end,
 * the usual mistakes, and tokens (a late literal and a CloudFormation parameter).
 */
export function wholeNumber(name: string, min: number, max: number, extraValid: number[] = []): fc.Arbitrary<Input<number>> {
  const inside = fc.integer({ min, max: Math.min(max, min + 1000) }).map((n) => lit(n));
  const edges = [min, max].map((n) => lit(n));
  const outside = [min - 1, max + 1, ...BAD_NUMBERS.filter((n) => !(Number.isInteger(n) && n >= min && n <= max))].map((n) => lit(n));
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 4, arbitrary: inside },
    { weight: 2, arbitrary: fc.constantFrom(...edges, ...extraValid.map((n) => lit(n))) },
    { weight: 3, arbitrary: fc.constantFrom(...outside) },
    { weight: 1, arbitrary: fc.constantFrom(lazyNumber(min), parameterNumber(name, min)) },
  ) as fc.Arbitrary<Input<number>>;
}

/** One of `allowed` (e.g. Fargate cpu values), or a value between, outside, or a token. */
export function oneOfNumbers(name: string, allowed: number[], near: number[]): fc.Arbitrary<Input<number>> {
  // no late literal here: alone it is fine, but with another size it may not be (a user's own mistake CDK cannot see)
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 5, arbitrary: fc.constantFrom(...allowed.map((n) => lit(n))) },
    { weight: 2, arbitrary: fc.constantFrom(...[...near, ...BAD_NUMBERS].map((n) => lit(n))) },
    { weight: 1, arbitrary: fc.constant(parameterNumber(name, allowed[0])) },
  ) as fc.Arbitrary<Input<number>>;
}

/** Strings users type into a name: empty, blank, spaces, unicode, slashes, over-long. */
export const AWKWARD_STRINGS = ['', ' ', 'my app', 'Ünïcødé', 'web/app', 'tab\there', 'x'.repeat(256), 'y'.repeat(2000)];

/** A string matching `valid`, or one of the awkward ones. */
export function text(valid: string[], invalid: string[] = AWKWARD_STRINGS): fc.Arbitrary<Input<string>> {
  return pick(valid.map((s) => lit(s)), invalid.map((s) => lit(s))) as fc.Arbitrary<Input<string>>;
}

const DURATION_UNITS = ['millis', 'seconds', 'minutes', 'hours', 'days'] as const;
type DurationUnit = typeof DURATION_UNITS[number];

/** `Duration.<unit>(amount)` as code and value. */
export function duration(unit: DurationUnit, amount: number): Input<Duration> {
  return expr(`Duration.${unit}(${literalCode(amount)})`, () => Duration[unit](amount));
}

/**
 * A duration from `minSeconds` to `maxSeconds` in whole seconds: values inside, both
 * ends, and what users type by mistake: sub-second (`Duration.millis(1500)`), zero,
 * multi-day (`Duration.days(400)`), NaN, one second outside each end, and a token.
 */
export function durationBetween(minSeconds: number, maxSeconds: number): fc.Arbitrary<Input<Duration>> {
  const inside = fc.integer({ min: minSeconds, max: maxSeconds }).map((s) =>
    s % 86400 === 0 && s > 0 ? duration('days', s / 86400)
      : s % 3600 === 0 && s > 0 ? duration('hours', s / 3600)
        : s % 60 === 0 && s > 0 ? duration('minutes', s / 60) : duration('seconds', s));
  const edges = [duration('seconds', minSeconds), duration('seconds', maxSeconds)];
  const mistakes = [
    duration('millis', 1500), duration('millis', 500), duration('seconds', 0.5), duration('millis', (minSeconds + 1) * 1000 + 1),
    duration('seconds', 0), duration('days', 400), duration('days', 30), duration('seconds', NaN),
    duration('seconds', Math.max(0, minSeconds - 1)), duration('seconds', maxSeconds + 1),
  ];
  const tokens = [
    expr(`Duration.seconds(Lazy.number({ produce: () => ${minSeconds} }))`, () => Duration.seconds(Lazy.number({ produce: () => minSeconds }))),
    expr(`Duration.minutes(Lazy.number({ produce: () => ${Math.ceil(minSeconds / 60)} }))`, () => Duration.minutes(Lazy.number({ produce: () => Math.ceil(minSeconds / 60) }))),
  ];
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 4, arbitrary: inside },
    { weight: 2, arbitrary: fc.constantFrom(...edges) },
    { weight: 3, arbitrary: fc.constantFrom(...mistakes) },
    { weight: 1, arbitrary: fc.constantFrom(...tokens) },
  );
}

/** `Size.<unit>(amount)` as code and value. */
export function size(unit: 'bytes' | 'kibibytes' | 'mebibytes' | 'gibibytes', amount: number): Input<Size> {
  return expr(`Size.${unit}(${literalCode(amount)})`, () => Size[unit](amount));
}

export const bool: fc.Arbitrary<Input<boolean>> = fc.constantFrom(lit(true), lit(false));

/** A value of an enum-like class or enum, by its name, e.g. `ec2.SubnetType.PUBLIC`. */
function member<T>(namespace: string, values: Record<string, T>, names: string[]): Input<T>[] {
  return names.map((n) => lit(values[n], `${namespace}.${n}`));
}

// ------------------------------------------------------------------------------------
// Shared props

const PUBLIC_IMAGE = 'public.ecr.aws/aws-containers/hello-app-runner:latest';

/** An image from a registry, by name (empty and odd names included). */
const image = pick(
  [expr(`ecs.ContainerImage.fromRegistry('${PUBLIC_IMAGE}')`, () => IMAGE)],
  [''].map((name) => expr(`ecs.ContainerImage.fromRegistry(${JSON.stringify(name)})`, () => ecs.ContainerImage.fromRegistry(name))),
  8,
);

const RETENTION = member('logs.RetentionDays', logs.RetentionDays as any, ['ONE_DAY', 'ONE_WEEK', 'ONE_MONTH', 'THIRTEEN_MONTHS', 'TEN_YEARS', 'INFINITE']);
/** Log retention: the enum's members, and numbers that are not (what `x as logs.RetentionDays` lets through). */
export const logRetention = pick(RETENTION, [lit(42 as logs.RetentionDays, '42 as logs.RetentionDays'), lit(0 as logs.RetentionDays, '0 as logs.RetentionDays')]);

/** The Fargate task size props. */
export const taskSizeProps: PropTable = {
  cpu: oneOfNumbers('Cpu', [256, 512, 1024, 2048, 4096, 8192, 16384], [128, 300, 1000, 32768, 1024.5, -256]),
  memoryLimitMiB: oneOfNumbers('Memory', [512, 1024, 2048, 3072, 4096, 8192, 16384, 30720, 61440, 122880], [256, 1536, 1000, 5000, 131072, 2048.5]),
  cpuArchitecture: fc.constantFrom(...member('ecs.CpuArchitecture', ecs.CpuArchitecture as any, ['X86_64', 'ARM64'])),
  logRetention,
};

const environmentVariables = pick(
  [lit({}), lit({ LOG_LEVEL: 'debug' }), lit({ STAGE: 'prod', REGION_NAME: 'eu-west-1' })],
  [lit({ '': 'empty name' }), lit({ 'BAD NAME': 'x' }), lit({ HUGE: 'x'.repeat(70000) }), lit({ BUCKET_NAME: 'mine' }), lit({ DB_HOST: 'db' }), lit({ TABLE_PARAMETER: 'x' })],
);

const secretsArb = pick(
  [lit({}), expr("{ API_KEY: ecs.Secret.fromSecretsManager(new secretsmanager.Secret(stack, 'ApiKey')) }",
    (stack) => ({ API_KEY: ecs.Secret.fromSecretsManager(new secretsmanager.Secret(stack, 'ApiKey')) }))],
  [expr("{ DB_PASSWORD: ecs.Secret.fromSecretsManager(new secretsmanager.Secret(stack, 'Password')) }",
    (stack) => ({ DB_PASSWORD: ecs.Secret.fromSecretsManager(new secretsmanager.Secret(stack, 'Password')) })),
  expr("{ LOG_LEVEL: ecs.Secret.fromSecretsManager(new secretsmanager.Secret(stack, 'LogLevel')) }",
    (stack) => ({ LOG_LEVEL: ecs.Secret.fromSecretsManager(new secretsmanager.Secret(stack, 'LogLevel')) }))],
);

/** The props of a Fargate task with one application container. */
export const taskProps: PropTable = {
  ...taskSizeProps,
  ephemeralStorageGiB: wholeNumber('EphemeralStorage', 21, 200),
  family: text(['webapp', 'web_app-1', 'a'.repeat(255)]),
  environment: environmentVariables,
  secrets: secretsArb,
  command: pick([lit(['python', 'etl.py']), lit(['sh', '-c', 'echo hello'])], [lit([]), lit([''])]),
};

/** A VPC the tests build or import. */
const vpcInputs = {
  default: expr("new ec2.Vpc(stack, 'Vpc')", (stack) => once(stack, 'Vpc', () => new ec2.Vpc(stack, 'Vpc'))),
  isolated: expr("new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [PUBLIC, PRIVATE_ISOLATED] })",
    (stack) => once(stack, 'Vpc', () => new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    }))),
  publicOnly: expr("new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [PUBLIC] })",
    (stack) => once(stack, 'Vpc', () => new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] }))),
  ssm: expr("new SsmDecoupledVpc(stack, 'Network', { parameterPrefix: '/net' }).vpc",
    (stack) => once(stack, 'Network', () => new SsmDecoupledVpc(stack, 'Network', { parameterPrefix: '/net' })).vpc),
  imported: expr("SsmDecoupledVpc.fromParameters(stack, 'Imported', { parameterPrefix: '/net' })",
    (stack) => SsmDecoupledVpc.fromParameters(stack, 'Imported', { parameterPrefix: '/net' })),
};

/** The VPC names the lookup context of a test app knows (test/props.fuzz.test.ts). */
export const VPC_NAMES = ['go-on-aws', 'data-platform'];

/** Where a construct's tasks run: vpc, vpcName, cluster, containerInsights. */
export const networkProps: PropTable = {
  vpc: fc.constantFrom(...Object.values(vpcInputs)),
  vpcName: text(VPC_NAMES, ['']),
  cluster: fc.constantFrom(
    expr("new ecs.Cluster(stack, 'Cluster')", (stack) => new ecs.Cluster(stack, 'Cluster')),
    expr("new ecs.Cluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc') })",
      (stack) => new ecs.Cluster(stack, 'Cluster', { vpc: vpcInputs.default.build(stack) })),
    expr("new ecs.Cluster(stack, 'Cluster', { enableFargateCapacityProviders: true })",
      (stack) => new ecs.Cluster(stack, 'Cluster', { enableFargateCapacityProviders: true })),
  ),
  containerInsights: bool,
};

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456';

/** The load balancer in front of a web service. */
export const frontProps: PropTable = {
  publicLoadBalancer: bool,
  listenerPort: wholeNumber('ListenerPort', 1, 65535, [80, 443, 8080]),
  certificate: fc.constantFrom(...[CERTIFICATE_ARN, CERTIFICATE_ARN.replace('eu-west-1', 'us-east-1')].map((arn) =>
    expr(`acm.Certificate.fromCertificateArn(stack, 'Certificate', '${arn}')`, (stack) => acm.Certificate.fromCertificateArn(stack, 'Certificate', arn)))),
  redirectHttp: bool,
  sslPolicy: fc.constantFrom(...member('elbv2.SslPolicy', elbv2.SslPolicy as any, ['RECOMMENDED_TLS', 'TLS13_13', 'FS_1_2_RES_2020_10'])),
  domainName: text(['web.example.com', 'example.com', 'WWW.Example.COM'], ['', 'web example.com', 'web.other.org', 'ünïcødé.example.com', `${'a'.repeat(64)}.example.com`]),
  domainZone: fc.constant(expr("route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' })",
    (stack) => route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' }))),
  healthyHttpCodes: text(['200', '200,401', '200-299', '200-399,401', '499'], ['', '2xx', '200;401', '200,', '100', '500', '299-200', '2000', '200-299-399']),
  healthCheckInterval: durationBetween(5, 300),
  deregistrationDelay: durationBetween(0, 3600),
  idleTimeout: durationBetween(1, 4000),
  accessLogs: bool,
  accessLogsBucket: fc.constantFrom(
    expr("new s3.Bucket(stack, 'AccessLogsBucket')", (stack) => new s3.Bucket(stack, 'AccessLogsBucket')),
    expr("new s3.Bucket(stack, 'AccessLogsBucket', { encryption: s3.BucketEncryption.KMS })",
      (stack) => new s3.Bucket(stack, 'AccessLogsBucket', { encryption: s3.BucketEncryption.KMS })),
  ),
};

/** A health check path: valid, without the slash, empty, with odd characters, up to and beyond 1,024 characters. */
export const healthCheckPath = text(['/', '/healthz', '/api/health?full=1', `/${'a'.repeat(1023)}`],
  ['', 'health', '/with space', '/ünïcødé', `/${'a'.repeat(1024)}`, `/${'b'.repeat(5000)}`]);

/** Schedules of Application Auto Scaling: built by CDK, and raw expressions, some of which AWS refuses. */
const scalingSchedule = pick([
  expr("appscaling.Schedule.cron({ hour: '8', minute: '50' })", () => appscaling.Schedule.cron({ hour: '8', minute: '50' })),
  expr("appscaling.Schedule.cron({ weekDay: 'MON-FRI', hour: '7', minute: '0' })", () => appscaling.Schedule.cron({ weekDay: 'MON-FRI', hour: '7', minute: '0' })),
  expr('appscaling.Schedule.rate(Duration.hours(1))', () => appscaling.Schedule.rate(Duration.hours(1))),
  expr("appscaling.Schedule.at(new Date('2030-03-01T08:45:00Z'))", () => appscaling.Schedule.at(new Date('2030-03-01T08:45:00Z'))),
  expr("appscaling.Schedule.expression('cron(45 8 1 3 ? *)')", () => appscaling.Schedule.expression('cron(45 8 1 3 ? *)')),
], ['rate(0 minutes)', 'rate(2 hour)', 'cron(0 8 * * *)', 'cron(0 25 * * ? *)', 'every day', '']
  .map((e) => expr(`appscaling.Schedule.expression(${JSON.stringify(e)})`, () => appscaling.Schedule.expression(e))));

const timeZone = fc.constantFrom(...member('TimeZone', TimeZone as any, ['ETC_UTC', 'EUROPE_BERLIN', 'AMERICA_NEW_YORK']));

/** An id for a schedule (a construct id and an action name): valid ones, and those a user might try. */
const scheduleId = text(['Rush', 'PreWarm', 'rush-2030'], ['', 'pre warm', '1st', 'Ünïcødé', 'a/b', 'x'.repeat(300)]);

/** One scheduled capacity window. */
const scheduledCapacity = propsOf({
  minCapacity: wholeNumber('ScheduleMin', 0, 20),
  maxCapacity: wholeNumber('ScheduleMax', 1, 20),
  timeZone,
}, { presence: 0.5, required: { id: scheduleId, schedule: scalingSchedule } });

/**
 * Up to three windows; duplicated ids come from the small pool of ids.
 */
const schedules = fc.array(scheduledCapacity, { maxLength: 3 }).map((items) => arrayInput(items));

/** The scaling options of a service. */
export const scalingOptions = propsOf({
  minCapacity: wholeNumber('MinCapacity', 0, 20),
  maxCapacity: wholeNumber('MaxCapacity', 1, 100),
  cpuTargetPercent: wholeNumber('CpuTarget', 1, 100),
  memoryTargetPercent: wholeNumber('MemoryTarget', 1, 100),
  requestsPerTarget: wholeNumber('RequestsPerTarget', 1, 100000),
  fastScaleOut: bool,
  scaleOutCooldown: durationBetween(0, 86400),
  scaleInCooldown: durationBetween(0, 86400),
  schedules,
}, { presence: 0.3 });

// ------------------------------------------------------------------------------------
// The constructs

/** Construct ids: the usual ones and what else constructs accept (spaces, unicode, long). */
export const constructId = (usual: string) => fc.oneof(
  { withCrossShrink: true },
  { weight: 8, arbitrary: fc.constant(usual) },
  { weight: 1, arbitrary: fc.constantFrom('My Construct', 'Ünïcødé', 'Site (prod)', `${usual}${'X'.repeat(120)}`) },
);

/** The environment a case synthesizes in. */
export type StackEnv = 'agnostic' | 'region' | 'account-and-region';
export const stackEnv: fc.Arbitrary<StackEnv> = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.constant<StackEnv>('agnostic') },
  { weight: 2, arbitrary: fc.constant<StackEnv>('region') },
  { weight: 1, arbitrary: fc.constant<StackEnv>('account-and-region') },
);

/** One generated call of a construct's constructor. */
export interface ConstructCase {
  readonly construct: string;
  readonly id: string;
  readonly env: StackEnv;
  readonly props: Input<any>;
  /** Calls the constructor in `stack` with the props built there. */
  instantiate(stack: Stack, props: unknown): IConstruct;
}

function constructCase(
  construct: string, usualId: string, props: fc.Arbitrary<Input<any>>, instantiate: (stack: Stack, id: string, props: any) => IConstruct,
): fc.Arbitrary<ConstructCase> {
  return fc.record({ id: constructId(usualId), env: stackEnv, props }).map(({ id, env, props: p }) => ({
    construct,
    id,
    env,
    props: p,
    instantiate: (stack: Stack, built: unknown) => instantiate(stack, id, built),
    [fc.toStringMethod]: () => `[${env}] new ${construct}(stack, ${JSON.stringify(id)}, ${p.code})`,
  }));
}

// SsmDecoupledVpc ---------------------------------------------------------------------

const parameterPath = (valid: string[]) => text(valid, [
  '', '/', 'my-app/network', '/my-app/network/', '/aws/network', '/ssm/network', '/AWS-config/x', '/my app/network',
  '/my-app//network', '/ünïcødé', `/${'x'.repeat(2000)}`, `/${'a/'.repeat(15)}z`,
]);

/** Every prop of SsmDecoupledVpc. */
export const ssmDecoupledVpcProps: PropTable = {
  vpcIdParameterName: parameterPath(['/go-on-aws/vpc', '/shared/vpc-id']),
  maxAzs: wholeNumber('MaxAzs', 1, 3),
  natGateways: wholeNumber('NatGateways', 0, 3),
  ipAddresses: fc.constantFrom(
    ...['10.0.0.0/16', '192.168.0.0/20', '10.0.0.0/24', '10.0.0.0/28'].map((cidr) =>
      expr(`ec2.IpAddresses.cidr('${cidr}')`, () => ec2.IpAddresses.cidr(cidr))),
  ),
  subnetConfiguration: fc.constantFrom(
    lit([{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }], '[PUBLIC, PRIVATE_WITH_EGRESS]'),
    lit([{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], '[PUBLIC, PRIVATE_ISOLATED]'),
    lit([{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], '[PRIVATE_ISOLATED]'),
    lit([{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 28 }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 }],
      '[PUBLIC /28, PRIVATE_WITH_EGRESS /20]'),
    lit([{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 8 }], '[PUBLIC /8]'),
    lit([{ name: 'Same', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Same', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], '[Same: PUBLIC, Same: PRIVATE_ISOLATED]'),
    lit([], '[]'),
  ),
  gatewayEndpoints: fc.constantFrom(
    lit([], '[]'),
    lit([ec2.GatewayVpcEndpointAwsService.S3], '[ec2.GatewayVpcEndpointAwsService.S3]'),
    lit([ec2.GatewayVpcEndpointAwsService.S3, ec2.GatewayVpcEndpointAwsService.S3], '[ec2.GatewayVpcEndpointAwsService.S3, ec2.GatewayVpcEndpointAwsService.S3]'),
  ),
  flowLogs: bool,
  flowLogTrafficType: fc.constantFrom(...member('ec2.FlowLogTrafficType', ec2.FlowLogTrafficType as any, ['ALL', 'REJECT'])),
  flowLogRetention: logRetention,
  restrictDefaultSecurityGroup: bool,
  vpcName: text(['my-app', 'shared network'], ['', 'Ünïcødé', 'x'.repeat(256), 'y'.repeat(300)]),
};

export const ssmDecoupledVpcCase = constructCase('SsmDecoupledVpc', 'Network',
  propsOf(ssmDecoupledVpcProps, { required: { parameterPrefix: parameterPath(['/my-app/network', '/a', '/My_App.v2/net-1']) } }),
  (stack, id, props) => new SsmDecoupledVpc(stack, id, props));

/** The props of SsmDecoupledVpc.fromParameters, and a security group placed in the VPC it imports. */
export const importedVpcCase = constructCase('SsmDecoupledVpc.fromParameters', 'Imported',
  propsOf({
    availabilityZoneCount: wholeNumber('AzCount', 1, 32),
    subnetTypes: fc.constantFrom(
      ...[[ec2.SubnetType.PUBLIC], [ec2.SubnetType.PUBLIC, ec2.SubnetType.PRIVATE_ISOLATED], [], [ec2.SubnetType.PUBLIC, ec2.SubnetType.PUBLIC]]
        .map((types) => lit(types, `[${types.map((t) => `ec2.SubnetType.${t}`).join(', ')}]`)),
    ),
  }, { presence: 0.5, required: { parameterPrefix: parameterPath(['/my-app/network']) } }),
  (stack, id, props) => {
    const vpc = SsmDecoupledVpc.fromParameters(stack, id, props);
    return new ec2.SecurityGroup(stack, `${id}Group`, { vpc, description: 'placed in the imported VPC' });
  });

// LoadBalancedScalingService ----------------------------------------------------------

/** Every prop of LoadBalancedScalingService. */
export const loadBalancedScalingServiceProps: PropTable = {
  ...taskProps,
  ...networkProps,
  ...frontProps,
  containerPorts: pick(
    [lit([80]), lit([8000]), lit([8000, 9000]), lit([65535])],
    [lit([]), lit([0]), lit([65536]), lit([8000, 8000]), lit([80.5]), lit([NaN]), lit([-80])],
  ),
  containerName: text(['web', 'app_1', 'a'.repeat(255)]),
  ssmParameters: fc.constantFrom(
    expr("{ TABLE_PARAMETER: ssm.StringParameter.fromStringParameterName(stack, 'Table', '/app/table') }",
      (stack) => ({ TABLE_PARAMETER: ssm.StringParameter.fromStringParameterName(stack, 'Table', '/app/table') })),
    lit({}),
  ),
  containerHealthCheck: fc.constantFrom(
    lit({ command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] }, "{ command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] }"),
    ...[
      ['interval', duration('seconds', 30)], ['interval', duration('millis', 1500)], ['interval', duration('seconds', 2)], ['interval', duration('seconds', 301)],
      ['timeout', duration('seconds', 10)], ['timeout', duration('seconds', 1)], ['timeout', duration('seconds', 121)],
      ['startPeriod', duration('seconds', 0)], ['startPeriod', duration('seconds', 301)], ['retries', lit(0)], ['retries', lit(11)], ['retries', lit(1.5)],
      ['interval', expr('Duration.seconds(Lazy.number({ produce: () => 30 }))', () => Duration.seconds(Lazy.number({ produce: () => 30 })))],
    ].map(([key, value]) => {
      const input = value as Input;
      return expr(`{ command: ['CMD-SHELL', 'exit 0'], ${key as string}: ${input.code} }`,
        (stack) => ({ command: ['CMD-SHELL', 'exit 0'], [key as string]: input.build(stack) }));
    }),
    lit({ command: [] }, '{ command: [] }'),
  ),
  taskSubnets: fc.constantFrom(
    ...member('ec2.SubnetType', ec2.SubnetType as any, ['PRIVATE_WITH_EGRESS', 'PUBLIC', 'PRIVATE_ISOLATED'])
      .map((t) => lit({ subnetType: t.build(undefined as any) }, `{ subnetType: ${t.code} }`)),
    lit({ subnetGroupName: 'NoSuchGroup' }),
  ),
  healthCheckPath,
  healthCheckGracePeriod: durationBetween(0, 2147483647),
  desiredCount: wholeNumber('DesiredCount', 1, 10),
  minHealthyPercent: wholeNumber('MinHealthy', 0, 100),
  maxHealthyPercent: wholeNumber('MaxHealthy', 100, 400),
  scaling: scalingOptions,
  fargateSpot: bool,
  onDemandBaseTasks: wholeNumber('OnDemandBase', 0, 100000),
  spotWeight: wholeNumber('SpotWeight', 1, 1000),
  enableExecuteCommand: bool,
  serviceName: text(['web', 'web_service-1', 'a'.repeat(255)]),
};

export const loadBalancedScalingServiceCase = constructCase('LoadBalancedScalingService', 'Web',
  propsOf(loadBalancedScalingServiceProps, { presence: 0.08, required: { image } }),
  (stack, id, props) => new LoadBalancedScalingService(stack, id, props));

// ScheduledFargateEtl -----------------------------------------------------------------

/** Schedules EventBridge accepts: built by CDK, and raw ones. */
const goodEtlSchedules = fc.constantFrom(
  expr("events.Schedule.cron({ day: '1', hour: '4', minute: '0' })", () => events.Schedule.cron({ day: '1', hour: '4', minute: '0' })),
  expr("events.Schedule.cron({ weekDay: 'MON', hour: '2', minute: '30' })", () => events.Schedule.cron({ weekDay: 'MON', hour: '2', minute: '30' })),
  expr('events.Schedule.rate(Duration.minutes(5))', () => events.Schedule.rate(Duration.minutes(5))),
  expr('events.Schedule.rate(Duration.days(1))', () => events.Schedule.rate(Duration.days(1))),
  expr("events.Schedule.expression('cron(0 4 1 * ? *)')", () => events.Schedule.expression('cron(0 4 1 * ? *)')),
  expr("events.Schedule.expression('rate(1 hour)')", () => events.Schedule.expression('rate(1 hour)')),
);

/** Raw schedule expressions EventBridge refuses (src/private/schedule-expression.ts refuses them). */
const badScheduleExpressions = fc.constantFrom(
  ...['rate(0 minutes)', 'rate(5 minute)', 'rate(1 hours)', 'rate(-1 days)', 'cron(61 4 * * ? *)', 'cron(0 4 * * *)', 'every day', '']
    .map((expression) => expr(`events.Schedule.expression(${JSON.stringify(expression)})`, () => events.Schedule.expression(expression))),
);

/** The `schedule` of a ScheduledFargateEtl: mostly ones EventBridge accepts. */
const etlSchedule = fc.oneof({ withCrossShrink: true }, { weight: 4, arbitrary: goodEtlSchedules }, { weight: 1, arbitrary: badScheduleExpressions });

const mysqlSidecar = propsOf({
  username: text(['etl', 'etl_user', 'u'.repeat(32)], ['', 'root', 'ROOT', 'etl-user', 'u'.repeat(33), 'ünï']),
  image: fc.constant(expr("ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/mysql:8.0')",
    () => ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/mysql:8.0'))),
  mysqldArguments: pick([lit(['--innodb-buffer-pool-size=1G']), lit([])], [lit([''])]),
}, { presence: 0.4, required: { databaseName: text(['my_database', 'db$1', 'd'.repeat(64)], ['', 'my-database', '2024', 'd'.repeat(65), 'ünï', 'my database']) } });

/** Every prop of ScheduledFargateEtl but `schedule` and `image`. */
export const scheduledFargateEtlProps: PropTable = {
  ...taskProps,
  ...networkProps,
  timeZone,
  enabled: bool,
  desiredTaskCount: wholeNumber('TaskCount', 1, 10),
  bucket: fc.constantFrom(
    expr("new s3.Bucket(stack, 'Data')", (stack) => new s3.Bucket(stack, 'Data')),
    expr("new s3.Bucket(stack, 'Data', { encryptionKey: new kms.Key(stack, 'DataKey') })",
      (stack) => new s3.Bucket(stack, 'Data', { encryptionKey: new kms.Key(stack, 'DataKey') })),
  ),
  mysqlSidecar,
  executionRole: fc.constant(expr("new iam.Role(stack, 'Execution', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') })",
    (stack) => new iam.Role(stack, 'Execution', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }))),
  taskRole: fc.constant(expr("new iam.Role(stack, 'Job', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') })",
    (stack) => new iam.Role(stack, 'Job', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }))),
  subnetSelection: fc.constantFrom(
    ...member('ec2.SubnetType', ec2.SubnetType as any, ['PRIVATE_WITH_EGRESS', 'PUBLIC', 'PRIVATE_ISOLATED'])
      .map((t) => lit({ subnetType: t.build(undefined as any) }, `{ subnetType: ${t.code} }`)),
  ),
  fargateSpot: bool,
  failureTopic: fc.constant(expr("new sns.Topic(stack, 'Alerts')", (stack) => new sns.Topic(stack, 'Alerts'))),
  notificationEmails: pick([lit(['ops@example.com']), lit(['a@example.com', 'b@example.org']), lit([])], [lit(['']), lit(['not an email'])]),
  retryAttempts: wholeNumber('RetryAttempts', 0, 185),
  maxEventAge: durationBetween(60, 86400),
  // a minute to a year less an hour (what a Standard execution lasts, less the margin for the report)
  maxRuntime: durationBetween(60, 365 * 24 * 3600 - 3600),
  allowOverlappingRuns: bool,
  deadLetterQueue: fc.constantFrom(
    expr("new sqs.Queue(stack, 'Dlq')", (stack) => new sqs.Queue(stack, 'Dlq')),
  ),
};

export const scheduledFargateEtlCase = constructCase('ScheduledFargateEtl', 'Etl',
  propsOf(scheduledFargateEtlProps, { presence: 0.1, required: { schedule: etlSchedule, image } }),
  (stack, id, props) => new ScheduledFargateEtl(stack, id, props));

// WordpressFargateSite ----------------------------------------------------------------

/** Aurora capacity units: 0 to 256 in steps of 0.5. */
const capacityUnits = (name: string, min: number) => fc.oneof(
  { withCrossShrink: true },
  { weight: 4, arbitrary: fc.integer({ min: min * 2, max: 32 }).map((n) => lit(n / 2)) },
  { weight: 2, arbitrary: fc.constantFrom(...[min, 256, min - 0.5, 256.5, 0.75, 1.2, -1, NaN, 512].map((n) => lit(n))) },
  { weight: 1, arbitrary: fc.constantFrom(lazyNumber(Math.max(min, 1)), parameterNumber(name, Math.max(min, 1))) },
);

const databaseSchedules = fc.array(propsOf({
  maxCapacity: capacityUnits('DbScheduleMax', 1),
  timeZone,
}, { presence: 0.4, required: { id: scheduleId, schedule: scalingSchedule, minCapacity: capacityUnits('DbScheduleMin', 0) } }), { maxLength: 2 })
  .map((items) => arrayInput(items));

/** Every prop of WordpressFargateSite. */
export const wordpressFargateSiteProps: PropTable = {
  ...taskSizeProps,
  ...networkProps,
  ...frontProps,
  loadBalancer: fc.constantFrom(
    expr("new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: new ec2.Vpc(stack, 'Vpc'), internetFacing: true })",
      (stack) => new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: vpcInputs.default.build(stack), internetFacing: true })),
  ),
  uploadMaxSize: fc.constantFrom(
    size('mebibytes', 64), size('mebibytes', 1), size('gibibytes', 4), size('mebibytes', 512),
    size('kibibytes', 1536), size('bytes', 100), size('bytes', 1048576), size('mebibytes', 0), size('gibibytes', 5), size('mebibytes', NaN), size('mebibytes', 1.5),
    expr('Size.mebibytes(Lazy.number({ produce: () => 64 }))', () => Size.mebibytes(Lazy.number({ produce: () => 64 }))),
  ),
  tablePrefix: text(['wp_', 'blog2_', 'W'.repeat(20)], ['', 'wp-', 'w'.repeat(21), 'ünï', 'wp ']),
  wordpressConfigExtra: text(["define('DISALLOW_FILE_EDIT', true);", ''], ['x'.repeat(70000)]),
  nginxImage: fc.constant(expr("ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27')", () => ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'))),
  wordpressImage: fc.constant(expr("ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/wordpress:php8.3-fpm')",
    () => ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/wordpress:php8.3-fpm'))),
  database: propsOf({
    minCapacity: capacityUnits('DbMin', 0),
    maxCapacity: capacityUnits('DbMax', 1),
    autoPauseAfter: durationBetween(300, 86400),
    backupRetention: fc.oneof(durationBetween(86400, 35 * 86400), fc.constantFrom(duration('days', 1), duration('days', 35), duration('days', 36), duration('hours', 36))),
    engineVersion: fc.constantFrom(
      lit(rds.AuroraMysqlEngineVersion.VER_3_12_0, 'rds.AuroraMysqlEngineVersion.VER_3_12_0'),
      lit(rds.AuroraMysqlEngineVersion.VER_3_08_0, 'rds.AuroraMysqlEngineVersion.VER_3_08_0'),
    ),
    deletionProtection: bool,
  }, { presence: 0.3 }),
  databaseSchedules,
  removalPolicy: fc.constantFrom(...member('RemovalPolicy', RemovalPolicy as any, ['SNAPSHOT', 'RETAIN', 'DESTROY'])),
  scaling: scalingOptions,
  enableExecuteCommand: bool,
  healthCheckPath,
  healthCheckGracePeriod: durationBetween(0, 2147483647),
  pageCacheTtl: durationBetween(0, 3600),
  alarmTopic: fc.constant(expr("new sns.Topic(stack, 'Alarms')", (stack) => new sns.Topic(stack, 'Alarms'))),
  cdn: bool,
  cdnOriginReadTimeout: fc.oneof(durationBetween(1, 180),
    fc.constantFrom(duration('seconds', 0), duration('seconds', 181), duration('minutes', 10), duration('millis', 1500))),
  firewall: propsOf({
    rateLimit: wholeNumber('RateLimit', 10, 2_000_000_000),
    rateLimitWindow: pick([1, 2, 5, 10].map((m) => duration('minutes', m)), [duration('minutes', 3), duration('seconds', 90), duration('millis', 1500), duration('hours', 1)]),
    rateLimitedPaths: pick([lit(['/wp-login.php']), lit(['/wp-login.php', '/wp-admin/admin-ajax.php']), lit(Array.from({ length: 5 }, (_, i) => `/p${i}`))],
      [lit([]), lit(['wp-login.php']), lit(['/with space']), lit(Array.from({ length: 6 }, (_, i) => `/p${i}`)), lit([`/${'p'.repeat(300)}`])]),
    countOnly: bool,
  }, { presence: 0.4 }),
};

export const wordpressFargateSiteCase = constructCase('WordpressFargateSite', 'Blog',
  propsOf(wordpressFargateSiteProps, { presence: 0.1 }),
  (stack, id, props) => new WordpressFargateSite(stack, id, props));
