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
   * @default - a new VPC with flow logs in 2 availability zones and no NAT gateway: public and
   * isolated private subnets, the tasks in the public subnets with a public IP and a security
   * group that admits only the load balancer (for ScheduledFargateEtl, nothing)
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
   * @default - a new cluster, without Container Insights unless `containerInsights` is set
   */
  readonly cluster?: ecs.ICluster;

  /**
   * Whether the cluster the construct creates records Container Insights metrics.
   *
   * Billed as CloudWatch custom metrics ($0.30 a metric a month in us-east-1) and
   * performance log events: a service reports 13 metrics by cluster and service, about $3.90
   * a month, plus the cluster's own metrics and the log ingestion, while tasks run. The
   * constructs alarm and scale on the free ECS service metrics and their own, so this is
   * for dashboards and investigations. Not allowed with `cluster`.
   *
   * @default false
   */
  readonly containerInsights?: boolean;
}
