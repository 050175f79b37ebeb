import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * Where a construct's tasks run: a VPC (new, given or looked up by name) or an existing
 * cluster. Shared by LoadBalancedScalingService, ScheduledFargateEtl and
 * WordpressFargateSite.
 */
export interface FargateNetworkProps {
  /**
   * The VPC to run in. Give at most one of `vpc`, `vpcName` and `cluster`.
   *
   * @default - a new VPC with flow logs in 2 availability zones: public and private
   * subnets with 1 NAT gateway, or for ScheduledFargateEtl public subnets only and no NAT gateway
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The name of an existing VPC, looked up at synth time (needs a stack with a concrete
   * `env`, and AWS credentials on the first synth).
   *
   * @default - see `vpc`
   */
  readonly vpcName?: string;

  /**
   * An existing cluster to run in; its VPC is used.
   *
   * @default - a new cluster with Container Insights
   */
  readonly cluster?: ecs.ICluster;

  /**
   * Whether the cluster the construct creates records Container Insights metrics
   * (billed as custom metrics). Not allowed with `cluster`.
   *
   * @default true
   */
  readonly containerInsights?: boolean;
}
