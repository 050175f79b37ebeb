import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The layout of a VPC the library creates: availability zones, NAT gateways, address
 * range, subnets, gateway endpoints and flow logs, each with a cost-aware default.
 * `SsmDecoupledVpc` takes it; the other constructs build their default VPC with these
 * defaults when no VPC is given.
 */
export interface VpcLayoutProps {
  /**
   * The number of availability zones to spread the subnets over.
   *
   * Stacks without a concrete `env` (account and region) only know two availability
   * zones at synth time; set `env` on the stack to use more.
   *
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * The number of NAT gateways, from 0 to `maxAzs`.
   *
   * One NAT gateway is the cost-aware default: all private subnets share it, so
   * losing its availability zone cuts outbound traffic of the others. Use one per
   * availability zone for zone-independent egress. With 0, the default layout uses
   * isolated private subnets instead of private subnets with egress.
   *
   * @default 1
   */
  readonly natGateways?: number;

  /**
   * The IPv4 address range of the VPC.
   *
   * @default ec2.IpAddresses.cidr('10.0.0.0/16')
   */
  readonly ipAddresses?: ec2.IIpAddresses;

  /**
   * The subnet groups to create in every availability zone.
   *
   * For an SsmDecoupledVpc, at most one group per subnet type: the parameters are published per subnet type.
   * `PRIVATE_WITH_EGRESS` needs at least one NAT gateway.
   *
   * @default - one `PUBLIC` and one `PRIVATE_WITH_EGRESS` group (`PRIVATE_ISOLATED` when `natGateways` is 0),
   * sharing the address range equally
   */
  readonly subnetConfiguration?: ec2.SubnetConfiguration[];

  /**
   * Gateway endpoints to add, routed from every subnet.
   *
   * Gateway endpoints cost nothing and keep S3 and DynamoDB traffic off the NAT gateway,
   * which is billed per GB. Pass an empty list for none.
   *
   * @default [ec2.GatewayVpcEndpointAwsService.S3, ec2.GatewayVpcEndpointAwsService.DYNAMODB]
   */
  readonly gatewayEndpoints?: ec2.GatewayVpcEndpointAwsService[];

  /**
   * Whether to record VPC flow logs to a CloudWatch Logs log group.
   *
   * @default true
   */
  readonly flowLogs?: boolean;

  /**
   * Which traffic the flow logs record.
   *
   * @default ec2.FlowLogTrafficType.ALL
   */
  readonly flowLogTrafficType?: ec2.FlowLogTrafficType;

  /**
   * How long flow log records are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Whether to remove all rules from the VPC's default security group, so that
   * nothing placed in it by mistake can talk to anything.
   *
   * This adds a small custom resource (an AWS Lambda function) to the stack.
   *
   * @default true
   */
  readonly restrictDefaultSecurityGroup?: boolean;

  /**
   * The `Name` tag of the VPC.
   *
   * @default - the construct path
   */
  readonly vpcName?: string;
}
