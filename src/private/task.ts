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
  /** Each construct decides it (`resolveCpuArchitecture`, with its own default). */
  readonly cpuArchitecture: ecs.CpuArchitecture;
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
 * The task definition of a construct (`TaskDefinition`, Linux on the architecture given)
 * and its log group (`Logs`, kept one month unless told otherwise,
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
      cpuArchitecture: options.cpuArchitecture,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
  });
  return {
    taskDefinition,
    logGroup,
    logDriver: (streamPrefix) => ecs.LogDrivers.awsLogs({ logGroup, streamPrefix }),
  };
}

/** The architectures Fargate runs Linux tasks on, by the names Docker gives them in a platform (os/arch[/variant]). */
const FARGATE_ARCHITECTURES: { [dockerName: string]: 'X86_64' | 'ARM64' } = {
  'amd64': 'X86_64', 'x86_64': 'X86_64', 'x86-64': 'X86_64', 'arm64': 'ARM64', 'aarch64': 'ARM64',
};

/**
 * The platform an image asset is built for, as given (`ContainerImage.fromAsset(dir, { platform })`);
 * undefined for any other image (a registry image says nothing at synth time; neither does an
 * asset given through `fromDockerImageAsset`) and for an asset built for the deploying machine.
 *
 * aws-cdk-lib keeps an asset's build options in the `props` field of `AssetImage`, which is not
 * part of its API: the tests build an arm64 and an amd64 asset and fail if that field moves.
 */
function assetPlatform(image: ecs.ContainerImage): string | undefined {
  return image instanceof ecs.AssetImage
    ? (image as unknown as { props?: { platform?: { platform?: string } } }).props?.platform?.platform
    : undefined;
}

/**
 * Whether `image` may be built by the machine that runs `cdk deploy`, for that machine's
 * architecture, which the synth cannot know: an image asset without `platform`, and any
 * image that is not a published one (registry, ECR repository, tag parameter). The last
 * covers `ContainerImage.fromDockerImageAsset` and `fromTarball`, which return plain
 * objects that say neither what they are nor what platform they were given.
 */
export function builtForDeployingMachine(image: ecs.ContainerImage): boolean {
  if (image instanceof ecs.AssetImage) {
    return assetPlatform(image) === undefined;
  }
  return !(image instanceof ecs.RepositoryImage || image instanceof ecs.EcrImage || image instanceof ecs.TagParameterContainerImage);
}

/**
 * The architectures (X86_64, ARM64) the image of `prop` is built for, or undefined when it
 * does not say. An asset built for a platform Fargate does not run fails the synth.
 */
function architecturesOf(path: string, prop: string, image: ecs.ContainerImage): Array<'X86_64' | 'ARM64'> | undefined {
  const platform = assetPlatform(image);
  if (platform === undefined) {
    return undefined;
  }
  const architectures = platform.toLowerCase().split(',').map((p) => {
    const [os, architecture] = p.trim().split('/');
    const known = os === 'linux' ? FARGATE_ARCHITECTURES[architecture ?? ''] : undefined;
    if (!known) {
      invalid(path, prop, `an image asset built for ${platform}`,
        'must be built for linux/amd64 or linux/arm64, the platforms Fargate runs Linux tasks on');
    }
    return known;
  });
  return [...new Set(architectures)];
}

const PLATFORM_NAMES = { X86_64: 'linux/amd64', ARM64: 'linux/arm64' };
/** aws-cdk-lib's own objects, so that callers may compare what they get with `===`. */
const CPU_ARCHITECTURES = { X86_64: ecs.CpuArchitecture.X86_64, ARM64: ecs.CpuArchitecture.ARM64 };

/**
 * The architecture of a task whose images are `images` (by prop name): the one given, else
 * the one its image assets are built for, else `fallback`. A container built for another
 * architecture than the task's exits at once with "exec format error" (Fargate runs the task
 * on the architecture its definition names: ECS Developer Guide, "Specifying the ARM
 * architecture in an Amazon ECS task definition"), so what can be known to contradict fails
 * the synth, naming both sides: an asset against `cpuArchitecture`, two assets against each
 * other, and an asset that would take an image which does not say along to another
 * architecture than `fallback` without being told.
 */
export function resolveCpuArchitecture(
  path: string,
  cpuArchitecture: ecs.CpuArchitecture | undefined,
  images: { [prop: string]: ecs.ContainerImage | undefined },
  fallback: ecs.CpuArchitecture,
): ecs.CpuArchitecture {
  const named = cpuArchitecture?._cpuArchitecture;
  if (named !== undefined && !Object.prototype.hasOwnProperty.call(CPU_ARCHITECTURES, named)) {
    invalid(path, 'cpuArchitecture', named, 'must be X86_64 or ARM64, the architectures Fargate runs Linux tasks on');
  }
  const given = Object.entries(images)
    .filter((entry): entry is [string, ecs.ContainerImage] => entry[1] !== undefined)
    .map(([prop, image]) => ({ prop, architectures: architecturesOf(path, prop, image) }));
  // an asset built for both architectures runs on either: it constrains nothing
  const declared = given.filter((g) => g.architectures?.length === 1).map((g) => ({ prop: g.prop, architecture: g.architectures![0] }));
  if (!cpuArchitecture && declared.length === 0) {
    return fallback;
  }
  const chosen = (named ?? declared[0].architecture) as keyof typeof CPU_ARCHITECTURES;
  const source = cpuArchitecture ? 'cpuArchitecture' : declared[0].prop;
  const other = declared.find((d) => d.architecture !== chosen);
  if (other) {
    invalid(path, other.prop, `an image asset built for ${PLATFORM_NAMES[other.architecture]}`,
      `must be built for the task's architecture, ${PLATFORM_NAMES[chosen]} (from ${source}): a container built for another one exits at once with "exec format error"; `
      + (cpuArchitecture ? 'give the asset the platform the task runs on, or cpuArchitecture the one the asset is built for' : `build ${other.prop} and ${source} for the same platform`));
  }
  const silent = given.find((g) => g.architectures === undefined);
  if (!cpuArchitecture && silent && chosen !== fallback._cpuArchitecture) {
    invalid(path, 'cpuArchitecture', cpuArchitecture,
      `must be given when ${source} is an image asset built for ${PLATFORM_NAMES[declared[0].architecture]} and ${silent.prop} is an image that does not say what it is built for: `
      + `${declared[0].architecture} if ${silent.prop} is built for it too (a multi-arch image is), else build ${source} for the platform of ${silent.prop}`);
  }
  return CPU_ARCHITECTURES[chosen];
}

/**
 * "Fargate Spot only supports Linux tasks with the X86_64 architecture" (ECS Developer Guide,
 * "Fargate capacity provider considerations"): a Spot task on ARM64 would never start, so
 * `fargateSpot` with a task on ARM64 fails the synth.
 */
export function checkSpotArchitecture(
  path: string,
  props: { readonly fargateSpot?: boolean; readonly cpuArchitecture?: ecs.CpuArchitecture },
  cpuArchitecture: ecs.CpuArchitecture,
): void {
  if (props.fargateSpot && cpuArchitecture._cpuArchitecture === ecs.CpuArchitecture.ARM64._cpuArchitecture) {
    invalid(path, 'fargateSpot', props.fargateSpot,
      `needs a task on X86_64, because Fargate Spot runs x86 Linux tasks only; the task runs on ARM64 (from ${props.cpuArchitecture ? 'cpuArchitecture' : 'the platform its image asset is built for'})`);
  }
}

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
