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
