import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ResolvedFargateSize } from './fargate-sizing';
import { checkDuration, checkEcsName, checkInteger, checkLiteral, checkLogRetention, invalid } from './validation';

/** What a construct's Fargate task definition is made of (sizes already checked). */
export interface FargateTaskOptions {
  readonly size: ResolvedFargateSize;
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  readonly family?: string;
  readonly logRetention?: logs.RetentionDays;
  readonly executionRole?: iam.IRole;
  readonly taskRole?: iam.IRole;
  readonly volumes?: ecs.Volume[];
}

/** A task definition and the log group its containers write to. */
export interface FargateTask {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly logGroup: logs.LogGroup;
  /** The awslogs driver of a container, its streams named `<streamPrefix>/<container>/<task id>`. */
  logDriver(streamPrefix: string): ecs.LogDriver;
}

/**
 * The task definition of a construct (`TaskDefinition`, Linux on the architecture given,
 * x86_64 by default) and its log group (`Logs`, kept one month unless told otherwise,
 * and retained with the stack: logs are evidence after an incident).
 */
export function createFargateTask(scope: Construct, options: FargateTaskOptions): FargateTask {
  checkEcsName(scope.node.path, 'family', options.family);
  checkLogRetention(scope.node.path, 'logRetention', options.logRetention);
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: options.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
    cpu: options.size.cpu,
    memoryLimitMiB: options.size.memoryLimitMiB,
    ephemeralStorageGiB: options.size.ephemeralStorageGiB,
    family: options.family,
    executionRole: options.executionRole,
    taskRole: options.taskRole,
    volumes: options.volumes,
    runtimePlatform: {
      cpuArchitecture: options.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
  });
  return {
    taskDefinition,
    logGroup,
    logDriver: (streamPrefix) => ecs.LogDrivers.awsLogs({ logGroup, streamPrefix }),
  };
}

/**
 * The CPU architecture `image` is built for, when a construct can know it at synth time: an
 * image asset (`ContainerImage.fromAsset`) given a `platform` of linux/arm64 or linux/amd64.
 * A registry image, or an asset built for whatever machine deploys it, declares nothing.
 *
 * aws-cdk-lib keeps an asset's build options in the `props` field of `AssetImage`, which is not
 * part of its API: the tests build an arm64 and an amd64 asset and fail if that field moves.
 */
export function declaredArchitecture(image: ecs.ContainerImage | undefined): ecs.CpuArchitecture | undefined {
  if (!(image instanceof ecs.AssetImage)) {
    return undefined;
  }
  const platform = (image as unknown as { props?: { platform?: { platform?: string } } }).props?.platform?.platform;
  if (platform?.startsWith('linux/arm64')) {
    return ecs.CpuArchitecture.ARM64;
  }
  if (platform === 'linux/amd64' || platform === 'linux/x86_64') {
    return ecs.CpuArchitecture.X86_64;
  }
  return undefined;
}

/**
 * The architecture of a task whose images are `images` (by prop name): the one given, else
 * the one its image assets are built for, else `fallback`. An asset built for another
 * architecture than the task's would start and exit at once with "exec format error", so a
 * contradiction fails the synth, naming both props.
 */
export function resolveCpuArchitecture(
  path: string,
  cpuArchitecture: ecs.CpuArchitecture | undefined,
  images: { [prop: string]: ecs.ContainerImage | undefined },
  fallback: ecs.CpuArchitecture,
): ecs.CpuArchitecture {
  const declared = Object.entries(images)
    .map(([prop, image]) => ({ prop, architecture: declaredArchitecture(image) }))
    .filter((d): d is { prop: string; architecture: ecs.CpuArchitecture } => d.architecture !== undefined);
  const chosen = cpuArchitecture ?? declared[0]?.architecture ?? fallback;
  const [other] = declared.filter((d) => d.architecture._cpuArchitecture !== chosen._cpuArchitecture);
  if (other) {
    const source = cpuArchitecture ? 'cpuArchitecture' : declared[0].prop;
    invalid(path, other.prop, `an image asset built for ${architectureName(other.architecture)}`,
      `must be built for the task's architecture, ${architectureName(chosen)} (from ${source}): a container built for another one exits at once with "exec format error"; give the asset the platform the task runs on, or cpuArchitecture the one the images are built for`);
  }
  return chosen;
}

const architectureName = (architecture: ecs.CpuArchitecture) =>
  (architecture._cpuArchitecture === ecs.CpuArchitecture.ARM64._cpuArchitecture ? 'linux/arm64' : 'linux/amd64');

/**
 * Checks a container health check against what ECS accepts (Amazon ECS API reference,
 * HealthCheck): a command, an interval of 5 to 300 seconds, a timeout of 2 to 120
 * seconds, 1 to 10 retries and a start period of 0 to 300 seconds.
 */
export function checkContainerHealthCheck(path: string, prop: string, healthCheck: ecs.HealthCheck | undefined): void {
  if (!healthCheck) {
    return;
  }
  if (healthCheck.command.length === 0) {
    invalid(path, `${prop}.command`, healthCheck.command, 'must not be empty, for example [\'CMD-SHELL\', \'curl -f http://localhost/ || exit 1\']');
  }
  const literal = 'aws-cdk-lib checks the health check at synth time';
  checkDuration(path, `${prop}.interval`, healthCheck.interval, { min: 5, max: 300, literal });
  checkDuration(path, `${prop}.timeout`, healthCheck.timeout, { min: 2, max: 120, literal });
  checkLiteral(path, `${prop}.retries`, healthCheck.retries, literal);
  checkInteger(path, `${prop}.retries`, healthCheck.retries, { min: 1, max: 10 });
  checkDuration(path, `${prop}.startPeriod`, healthCheck.startPeriod, { min: 0, max: 300, literal });
}

/**
 * How many characters of environment variables (names and values) a container may get
 * from the user. ECS accepts task definitions of at most 64 KiB (Amazon ECS service
 * quotas, "Task definition size"); this leaves room for what the construct adds.
 */
const MAX_ENVIRONMENT_CHARACTERS = 48 * 1024;

/** Checks the size of the environment variables the user gives a container (tokens count as their placeholder). */
export function checkEnvironmentSize(path: string, prop: string, environment: { [name: string]: string } | undefined): void {
  const size = Object.entries(environment ?? {}).reduce((total, [name, value]) => total + name.length + value.length, 0);
  if (size > MAX_ENVIRONMENT_CHARACTERS) {
    invalid(path, prop, `${size} characters`,
      `may hold at most ${MAX_ENVIRONMENT_CHARACTERS} characters (names and values), because ECS accepts task definitions of at most 64 KiB; put large content in S3 or SSM instead`);
  }
}
