import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The size of a construct's Fargate task and how long its logs are kept. Shared by
 * LoadBalancedScalingService, ScheduledFargateEtl and WordpressFargateSite.
 *
 * Sizes are checked at synth time against what Fargate offers: a bad combination
 * fails `cdk synth` with the values Fargate allows, not the deployment.
 */
export interface FargateTaskSizeProps {
  /**
   * The task's CPU units (1024 = 1 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384.
   *
   * @default - 256 for a LoadBalancedScalingService, 512 for a WordpressFargateSite, 1024 for a ScheduledFargateEtl
   */
  readonly cpu?: number;

  /**
   * The task's memory in MiB; must be a value Fargate allows for `cpu` (for example
   * 512, 1024 or 2048 for 256 CPU units).
   *
   * @default - the construct's default (512 MiB for a LoadBalancedScalingService, 1024 MiB for a
   * WordpressFargateSite, 2048 MiB for a ScheduledFargateEtl), raised to the smallest value Fargate allows for `cpu`
   */
  readonly memoryLimitMiB?: number;

  /**
   * The CPU architecture the images are built for. `ARM64` (Graviton) costs about 20% less.
   * A container built for another architecture than the task's exits at once ("exec format
   * error"): an image asset built for another one than this fails the synth.
   *
   * @default - the architecture the image assets are built for (`ContainerImage.fromAsset`
   * with `platform`); else `ARM64` for a WordpressFargateSite running the images it ships
   * and for a LoadBalancedScalingService with a registry or ECR image and no `fargateSpot`
   * (see its `image`), `X86_64` otherwise (a registry image may be built for x86 only)
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * How long the containers' logs are kept in CloudWatch Logs.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Fargate task with one application container: its size, its storage, its
 * environment. Shared by LoadBalancedScalingService and ScheduledFargateEtl.
 */
export interface FargateTaskProps extends FargateTaskSizeProps {
  /**
   * The task's ephemeral storage in GiB, from 21 to 200, for data the application
   * keeps on local disk.
   *
   * @default - Fargate's 20 GiB
   */
  readonly ephemeralStorageGiB?: number;

  /**
   * The family of the task definition (notifications and the console name it).
   *
   * @default - a name CDK generates from the construct path
   */
  readonly family?: string;

  /**
   * Environment variables of the application container. Never put secrets here: use `secrets`.
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /**
   * Secrets injected as environment variables when the task starts, from Secrets
   * Manager (whole secrets or fields of them) or SSM SecureString parameters; the
   * execution role may read exactly these.
   *
   * @default - none
   */
  readonly secrets?: { [name: string]: ecs.Secret };

  /**
   * The command of the application container.
   *
   * @default - the image's CMD
   */
  readonly command?: string[];
}
