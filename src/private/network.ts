import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from './nag';
import { checkLength, checkLiteral, checkLogRetention, invalid, replaceDisallowed } from './validation';
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
export function createVpc(scope: Construct, settings: VpcLayoutProps = {}, natGatewayProvider?: ec2.NatProvider): CreatedVpc {
  const natGateways = settings.natGateways ?? 1;
  const vpc = explainAddressRange(scope, settings, () => new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: settings.ipAddresses ?? ec2.IpAddresses.cidr('10.0.0.0/16'),
    maxAzs: settings.maxAzs ?? 2,
    natGateways,
    natGatewayProvider,
    subnetConfiguration: settings.subnetConfiguration ?? defaultSubnets(natGateways),
    restrictDefaultSecurityGroup: settings.restrictDefaultSecurityGroup ?? true,
    vpcName: settings.vpcName,
  }));

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
  // what vpc.addFlowLog does, plus a Name IAM accepts on the flow log's role
  const flowLog = new ec2.FlowLog(vpc, 'FlowLog', {
    resourceType: ec2.FlowLogResourceType.fromVpc(vpc),
    destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
    trafficType: settings.flowLogTrafficType ?? ec2.FlowLogTrafficType.ALL,
    flowLogName: iamTagValue(`${vpc.node.path}/FlowLog`),
  });
  return { vpc, gatewayEndpoints, flowLog, flowLogGroup };
}

/**
 * `text` with the characters IAM tag values accept (TagRole: "[\p{L}\p{Z}\p{N}_.:/=+\-@]*"):
 * each run of other characters becomes "-". A flow log tags its IAM role with Name, by
 * default its construct path, which may hold characters only EC2 tags accept
 * ("Blog (prod)/Vpc/FlowLog" would fail the deployment).
 */
function iamTagValue(text: string): string {
  return replaceDisallowed(text, /[^\p{L}\p{Z}\p{N}_.:/=+\-@]+/gu);
}

/**
 * Checks the layout props of a VPC the library creates from a user's props, beyond
 * what the construct checks itself: literal zone and NAT counts (the subnets are laid
 * out at synth time), subnet groups EC2 and CDK can create, and endpoints and a name
 * tag EC2 accepts.
 */
export function checkVpcLayout(path: string, settings: VpcLayoutProps): void {
  const why = 'the subnets are laid out at synth time';
  checkLiteral(path, 'maxAzs', settings.maxAzs, why);
  checkLiteral(path, 'natGateways', settings.natGateways, why);
  const groups = settings.subnetConfiguration ?? [];
  const names = groups.map((g) => g.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) {
      invalid(path, `subnetConfiguration[${i}].name`, name, 'must be unique among the subnet groups (it names their subnets)');
    }
  });
  groups.forEach((g, i) => {
    // EC2: "The allowed block size is between a /28 netmask and /16 netmask" (subnets)
    if (g.cidrMask !== undefined && !Token.isUnresolved(g.cidrMask) && !(Number.isInteger(g.cidrMask) && g.cidrMask >= 16 && g.cidrMask <= 28)) {
      invalid(path, `subnetConfiguration[${i}].cidrMask`, g.cidrMask, 'must be a whole number from 16 to 28 (EC2 subnets are /16 to /28)');
    }
  });
  const natGateways = settings.natGateways ?? 1;
  const active = groups.filter((g) => !g.reserved);
  if (active.length > 0 && natGateways > 0 && !active.some((g) => g.subnetType === ec2.SubnetType.PUBLIC)) {
    invalid(path, 'subnetConfiguration', names,
      `needs a PUBLIC group for the NAT gateways (natGateways is ${natGateways}); add one, or set natGateways to 0`);
  }
  // names look like com.amazonaws.<region token>.s3: the last segment is the service
  const services = (settings.gatewayEndpoints ?? []).map((e) => e.name.split('.').pop());
  services.forEach((service, i) => {
    if (services.indexOf(service) !== i) {
      invalid(path, `gatewayEndpoints[${i}]`, service, 'must not name a service twice');
    }
  });
  checkLogRetention(path, 'flowLogRetention', settings.flowLogRetention);
  // EC2 tags: a value is at most 256 characters; an empty Name would hide the VPC's name
  checkLength(path, 'vpcName', settings.vpcName, { min: 1, max: 256, why: 'the Name tag of the VPC; EC2 tag values are at most 256 characters' });
}

/**
 * Runs `create` (the VPC), turning aws-cdk-lib's error for an address range too small
 * for the subnet layout into one that names the prop to change.
 */
function explainAddressRange<T>(scope: Construct, settings: VpcLayoutProps, create: () => T): T {
  try {
    return create();
  } catch (e) {
    const prop = settings.ipAddresses ? 'ipAddresses' : settings.subnetConfiguration ? 'subnetConfiguration' : undefined;
    if (!prop || !(e instanceof Error) || e instanceof TypeError || !/cidr|subnet|space/i.test(e.message)) {
      throw e;
    }
    return invalid(scope.node.path, prop, e.message,
      `must leave room for the subnets: ${settings.maxAzs ?? 2} availability zones times the subnet groups, each subnet /28 or larger (aws-cdk-lib reports the error given)`);
  }
}

/**
 * Checks that a construct's tasks can be placed: `selection` (the prop `prop`, or the
 * construct's own default) selects subnets of `vpc`. Otherwise aws-cdk-lib fails later,
 * naming neither the construct nor the prop; a default that the VPC given cannot
 * satisfy is reported against the prop that gave the VPC.
 */
export function checkTaskSubnets(
  scope: Construct, vpc: ec2.IVpc, choice: FargateNetworkProps,
  selection: { readonly prop?: string; readonly value?: ec2.SubnetSelection; readonly default?: ec2.SubnetSelection },
): void {
  const subnets = selection.value ?? selection.default;
  if (!subnets) {
    return;
  }
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(subnets);
  } catch (e) {
    if (!(e instanceof Error) || e instanceof TypeError) {
      throw e;
    }
    if (selection.value && selection.prop) {
      invalid(scope.node.path, selection.prop, selection.value, `must select subnets the VPC has: ${e.message}`);
    }
    const given = (['cluster', 'vpc', 'vpcName'] as const).find((k) => choice[k] !== undefined) ?? 'vpc';
    invalid(scope.node.path, given, subnets,
      `must have the subnets the tasks run in by default${selection.prop ? ` (or set ${selection.prop})` : ''}: ${e.message}`);
  }
  // the VPC a construct creates has no NAT gateway and no interface endpoint: its subnets
  // other than the public ones have no way out for a task
  if (createsVpc(choice) && selection.value && selection.prop && !inPublicSubnets(vpc, subnets)) {
    invalid(scope.node.path, selection.prop, selection.value,
      `must select public subnets of the VPC the construct creates (got ${selected.subnetIds.length} without a route out): that VPC has no NAT gateway and no interface endpoints, `
      + 'so tasks elsewhere could not pull their image, read their secrets or send their logs; leave it out (public subnets, each task with a public IP), or give a vpc whose private subnets have a way out');
  }
}

/**
 * The VPC a load-balanced construct creates for itself: no NAT gateway ($32.85 a month and
 * $0.045 a GB, plus its address), public subnets for the load balancer and the tasks (each
 * with a public IPv4 address, $3.65 a month, and a security group admitting the load
 * balancer alone), isolated private subnets for the database, the file system and an
 * internal load balancer. The private group keeps the name, and so the subnets and
 * addresses, of the layout with a NAT gateway the constructs created before: an update
 * removes the NAT gateway and its routes without replacing a subnet, the database's subnet
 * group or the file system's mount targets.
 *
 * Why not a NAT instance: in a rush, 40 tasks starting at once fetch their secrets, the ECR
 * API and send their logs through it (image layers come from S3 through the gateway
 * endpoint); one t4g.nano would be a single point of failure and a bandwidth limit on the
 * path every new task needs, where public addresses scale with the tasks.
 */
export const NAT_FREE_LAYOUT: VpcLayoutProps = {
  natGateways: 0,
  subnetConfiguration: [
    { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
    { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  ],
};

/**
 * Whether tasks in `selection` of `vpc` need a public IP: in a public subnet the internet
 * gateway is their only way out (no NAT routes it), and a task without a public IPv4
 * address cannot pull its image, read its secrets or send its logs there (Amazon ECS
 * Developer Guide, "Amazon ECS task networking options for Fargate": a task in a public
 * subnet needs a public IP for outbound access). Subnets are compared by id: one given as
 * `Subnet.fromSubnetId` is another object than the VPC's own.
 */
export function inPublicSubnets(vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): boolean {
  const publicIds = new Set(vpc.publicSubnets.map((s) => s.subnetId));
  return vpc.selectSubnets(selection).subnetIds.some((id) => publicIds.has(id));
}

/**
 * Where a construct's tasks run unless told: the public subnets of the VPC it creates (no
 * NAT gateway there: each task gets a public IP, `inPublicSubnets`), else the private
 * subnets with egress of the VPC given.
 */
export function defaultTaskSubnets(choice: FargateNetworkProps): ec2.SubnetSelection {
  return { subnetType: createsVpc(choice) ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS };
}

/** Whether the construct creates its own VPC: neither a VPC, nor its name, nor a cluster was given. */
export function createsVpc(choice: FargateNetworkProps): boolean {
  return choice.vpc === undefined && choice.vpcName === undefined && choice.cluster === undefined;
}

/** CDK's subnet layout: public + private with egress, or public + isolated without NAT. */
export function defaultSubnets(natGateways: number): ec2.SubnetConfiguration[] {
  return natGateways > 0 ? ec2.Vpc.DEFAULT_SUBNETS : ec2.Vpc.DEFAULT_SUBNETS_NO_NAT;
}


/**
 * The VPC a construct uses: the cluster's, the one given, the one named (looked up
 * at synth time), or a new one from `createVpc` laid out as `layout` says. Giving
 * more than one is an error.
 */
export function resolveVpc(scope: Construct, choice: FargateNetworkProps, layout?: VpcLayoutProps): ec2.IVpc {
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
    checkLength(path, 'vpcName', choice.vpcName, { min: 1, max: 256, why: 'the Name tag of an existing VPC' });
    const stack = Stack.of(scope);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      invalid(path, 'vpcName', choice.vpcName,
        `needs a stack with a concrete env (account and region) to look the VPC up, but stack ${stack.node.path} is environment-agnostic; set env on the stack, or pass vpc instead (for example SsmDecoupledVpc.fromParameters)`);
    }
    return ec2.Vpc.fromLookup(scope, 'Vpc', { vpcName: choice.vpcName });
  }
  return createVpc(scope, layout).vpc;
}

/**
 * The VPC's address range, which a VPC imported without it cannot give: refused naming
 * the construct (`path`), its prop `vpc`, and `why` the construct needs the range.
 */
export function vpcCidrOf(vpc: ec2.IVpc, path: string, why: string): string {
  try {
    return vpc.vpcCidrBlock;
  } catch {
    return invalid(path, 'vpc', vpc.node.path,
      `must know its address range (vpcCidrBlock): ${why}. Import the VPC with vpcCidrBlock, or with SsmDecoupledVpc.fromParameters`);
  }
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
  const cluster = new ecs.Cluster(scope, 'Cluster', {
    vpc,
    containerInsightsV2: (choice.containerInsights ?? false) ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
    enableFargateCapacityProviders: choice.fargateSpot ?? false,
  });
  if (choice.containerInsights === undefined) {
    // the library's default, not the user's choice (an explicit false stays theirs to acknowledge)
    acknowledgeNagFinding(cluster, 'AwsSolutions-ECS4',
      'Container Insights is opt-in (containerInsights): it bills per metric (about $3.90 a month a service) while the constructs alarm and scale on free ECS metrics and their own');
  }
  return cluster;
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
