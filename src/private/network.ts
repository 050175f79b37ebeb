import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { invalid } from './validation';
import { FargateNetworkProps } from '../common/network-props';
import { VpcLayoutProps } from '../common/vpc-layout-props';

/** A VPC built by `createVpc`, with the parts built next to it. */
export interface CreatedVpc {
  readonly vpc: ec2.Vpc;
  readonly gatewayEndpoints: ec2.GatewayVpcEndpoint[];
  readonly flowLog?: ec2.FlowLog;
  readonly flowLogGroup?: logs.LogGroup;
}

/**
 * The library's VPC: two availability zones and one NAT gateway unless told
 * otherwise, S3 and DynamoDB gateway endpoints (free, and they keep that traffic
 * off the NAT gateway), flow logs to a log group kept one month, and a default
 * security group without rules. Created as `Vpc` and `FlowLogGroup` in `scope`.
 */
export function createVpc(scope: Construct, settings: VpcLayoutProps = {}): CreatedVpc {
  const natGateways = settings.natGateways ?? 1;
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: settings.ipAddresses ?? ec2.IpAddresses.cidr('10.0.0.0/16'),
    maxAzs: settings.maxAzs ?? 2,
    natGateways,
    subnetConfiguration: settings.subnetConfiguration ?? defaultSubnets(natGateways),
    restrictDefaultSecurityGroup: settings.restrictDefaultSecurityGroup ?? true,
    vpcName: settings.vpcName,
  });

  const gatewayEndpoints = (settings.gatewayEndpoints ?? [
    ec2.GatewayVpcEndpointAwsService.S3,
    ec2.GatewayVpcEndpointAwsService.DYNAMODB,
  ]).map((service) => vpc.addGatewayEndpoint(gatewayEndpointId(service), { service }));

  if (!(settings.flowLogs ?? true)) {
    return { vpc, gatewayEndpoints };
  }
  const flowLogGroup = new logs.LogGroup(scope, 'FlowLogGroup', {
    retention: settings.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
  });
  const flowLog = vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
    trafficType: settings.flowLogTrafficType ?? ec2.FlowLogTrafficType.ALL,
  });
  return { vpc, gatewayEndpoints, flowLog, flowLogGroup };
}

/** CDK's subnet layout: public + private with egress, or public + isolated without NAT. */
export function defaultSubnets(natGateways: number): ec2.SubnetConfiguration[] {
  return natGateways > 0 ? ec2.Vpc.DEFAULT_SUBNETS : ec2.Vpc.DEFAULT_SUBNETS_NO_NAT;
}


/**
 * The VPC a construct uses: the cluster's, the one given, the one named (looked up
 * at synth time), or a new one from `createVpc`. Giving more than one is an error.
 */
export function resolveVpc(scope: Construct, choice: FargateNetworkProps): ec2.IVpc {
  const path = scope.node.path;
  const given = (['cluster', 'vpc', 'vpcName'] as const).filter((k) => choice[k] !== undefined);
  if (given.length > 1) {
    invalid(path, given.join(' and '), given, 'must not be combined: set only one of cluster, vpc and vpcName (a cluster brings its VPC)');
  }
  if (choice.cluster) {
    return choice.cluster.vpc;
  }
  if (choice.vpc) {
    return choice.vpc;
  }
  if (choice.vpcName !== undefined) {
    const stack = Stack.of(scope);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      invalid(path, 'vpcName', choice.vpcName,
        `needs a stack with a concrete env (account and region) to look the VPC up, but stack ${stack.node.path} is environment-agnostic; set env on the stack, or pass vpc instead (for example SsmDecoupledVpc.fromParameters)`);
    }
    return ec2.Vpc.fromLookup(scope, 'Vpc', { vpcName: choice.vpcName });
  }
  return createVpc(scope).vpc;
}

/** How a construct gets its cluster, as its props say. */
export interface ClusterChoice extends FargateNetworkProps {
  readonly fargateSpot?: boolean;
}

/**
 * The cluster given (with the Fargate capacity providers enabled for Spot when it is
 * one of this app's clusters) or a new one in `vpc`, with Container Insights unless
 * turned off. Container Insights for a cluster given is an error: it is not ours.
 */
export function resolveCluster(scope: Construct, vpc: ec2.IVpc, choice: ClusterChoice): ecs.ICluster {
  if (choice.cluster) {
    if (choice.containerInsights !== undefined) {
      invalid(scope.node.path, 'containerInsights', choice.containerInsights,
        'only applies to the cluster the construct creates; configure Container Insights on the cluster you pass');
    }
    if (choice.fargateSpot && choice.cluster instanceof ecs.Cluster) {
      choice.cluster.enableFargateCapacityProviders();
    }
    return choice.cluster;
  }
  return new ecs.Cluster(scope, 'Cluster', {
    vpc,
    containerInsightsV2: (choice.containerInsights ?? true) ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
    enableFargateCapacityProviders: choice.fargateSpot ?? false,
  });
}

/** A stable construct id per gateway service: `S3Endpoint`, `DynamodbEndpoint`, ... */
function gatewayEndpointId(service: ec2.GatewayVpcEndpointAwsService): string {
  // names look like com.amazonaws.<region token>.s3: the last segment is the service
  const serviceName = service.name.split('.').pop() ?? service.name;
  return `${pascalCase(serviceName)}Endpoint`;
}

/** `private-with-egress` -> `PrivateWithEgress`. */
export function pascalCase(s: string): string {
  return s.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
