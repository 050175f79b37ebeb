import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ResolvedFargateSize } from './fargate-sizing';

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
