import { CfnRule, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { canonicalSubnetType, checkParameterName, checkParameterPrefix, ParameterNames, subnetTypeName, subnetTypeSegment } from './parameter-names';
import { VpcLayoutProps } from '../common/vpc-layout-props';
import { acknowledgeNagFinding } from '../private/nag';
import { checkVpcLayout, createVpc, defaultSubnets, pascalCase } from '../private/network';
import { checkInteger, checkLiteral, invalid } from '../private/validation';

/** Subnet types in the order they are published and imported. */
const PUBLISHABLE_SUBNET_TYPES = [
  ec2.SubnetType.PUBLIC,
  ec2.SubnetType.PRIVATE_WITH_EGRESS,
  ec2.SubnetType.PRIVATE_ISOLATED,
];

/**
 * Properties of an `SsmDecoupledVpc`.
 */
export interface SsmDecoupledVpcProps extends VpcLayoutProps {
  /**
   * The SSM Parameter Store path under which the VPC's identifiers are published.
   *
   * One `String` parameter is written per identifier:
   *
   * - `<prefix>/vpc-id`, `<prefix>/vpc-cidr`, `<prefix>/availability-zones`
   * - per subnet type present (`public`, `private-with-egress`, `private-isolated`):
   *   `<prefix>/<type>/subnet-ids`, `<prefix>/<type>/route-table-ids`, `<prefix>/<type>/subnet-cidrs`
   *
   * List values are comma-joined, one entry per availability zone, in availability zone order.
   *
   * Must be a literal, fully qualified path: a leading `/`, no trailing `/`, segments of
   * letters, digits, `_`, `.` and `-`, and not starting with `/aws` or `/ssm` (reserved by AWS).
   */
  readonly parameterPrefix: string;

  /**
   * An additional parameter that holds only the VPC id, for consumers that look
   * the VPC up by id at synth time (for example `/go-on-aws/vpc`).
   *
   * @default - no additional parameter
   */
  readonly vpcIdParameterName?: string;

  /**
   * NAT instances of this type instead of NAT gateways: `natGateways` of them, one per
   * availability zone from the first (`ec2.NatProvider.instanceV2`, Amazon Linux 2023 for
   * the instance type's architecture, with a public IPv4 address).
   *
   * A `t4g.nano` costs about $3.07 a month, its address $3.65 and its 8 GB volume $0.64
   * (us-east-1): about $7.36 against $36.50 for a NAT gateway with its address. The
   * trade-off: an instance is a single point of failure you patch yourself, and its
   * bandwidth is the instance type's (a t4g.nano bursts to 5 Gbit/s); image layers from
   * ECR come through the S3 gateway endpoint, not the instance. The image is the latest
   * Amazon Linux 2023, read from SSM at each deployment: a deployment after a new release
   * replaces the instances, which drops the connections through them and changes their
   * public address (outbound traffic leaves from a new one; allow-lists elsewhere must follow).
   *
   * @default - NAT gateways
   */
  readonly natInstanceType?: ec2.InstanceType;
}

/**
 * How to import a VPC that an `SsmDecoupledVpc` published.
 */
export interface SsmDecoupledVpcImportProps {
  /**
   * The `parameterPrefix` the VPC was published under.
   */
  readonly parameterPrefix: string;

  /**
   * The number of availability zones the published VPC spans.
   *
   * Must match the producer: a smaller number imports only the first zones' subnets,
   * a larger one fails at deploy time (`Fn::Select` out of range).
   *
   * @default 2
   */
  readonly availabilityZoneCount?: number;

  /**
   * The subnet types the published VPC has, each of which is imported.
   *
   * Checked before anything is created. At synth time, against the SsmDecoupledVpc with the
   * same `parameterPrefix` in the same app and environment, naming both. At deploy time by
   * CloudFormation: each type is read from `<prefix>/<type>/subnet-ids` through an
   * SSM-typed parameter, and a type the producer lacks has none, so CloudFormation stops
   * before any resource with "Unable to fetch parameters [<prefix>/<type>/subnet-ids]"
   * (it resolves those parameters first). A rule of the template (CloudFormation `Rules`)
   * names this construct and the producer when the lists exist but the producer's
   * `<prefix>/subnet-types` does not list the type (a layout published by other means).
   *
   * @default [ec2.SubnetType.PUBLIC, ec2.SubnetType.PRIVATE_WITH_EGRESS]
   */
  readonly subnetTypes?: ec2.SubnetType[];
}

/**
 * How to look up a published VPC at synth time with `SsmDecoupledVpc.fromLookup`.
 *
 * Give exactly one of `vpcIdParameterName` and `parameterPrefix`.
 */
export interface SsmDecoupledVpcLookupProps {
  /**
   * The name of a parameter that holds the VPC id (the producer's `vpcIdParameterName`).
   *
   * @default - `<parameterPrefix>/vpc-id`
   */
  readonly vpcIdParameterName?: string;

  /**
   * The `parameterPrefix` the VPC was published under.
   *
   * @default - use `vpcIdParameterName`
   */
  readonly parameterPrefix?: string;
}

/**
 * A VPC whose identifiers are published in SSM Parameter Store, so that other
 * stacks and other CDK apps can use it without CloudFormation exports and
 * without AWS credentials at synth time.
 *
 * The producer side creates the VPC (two availability zones, one NAT gateway,
 * public and private subnets, S3 and DynamoDB gateway endpoints and flow logs by
 * default) and writes one parameter per identifier under `parameterPrefix`.
 * Consumers call `SsmDecoupledVpc.fromParameters`, which reads the
 * parameters at deploy time through CloudFormation parameters of type
 * `AWS::SSM::Parameter::Value<String>`: no exports bind the stacks together, so
 * each deploys and rolls back on its own.
 *
 * When the VPC is replaced (a new CIDR, other availability zones), the producer
 * stack rewrites the parameters, but consumer stacks keep the old ids until they
 * are deployed again, and CloudFormation does not stop the producer from deleting
 * a VPC that still has consumers (the deletion then fails on their network
 * interfaces). Replace a VPC side by side: publish the new one under a new prefix,
 * move and redeploy the consumers, then remove the old one.
 *
 * @exampleMetadata fixture=construct
 * @example
 * // in the network stack
 * const network = new SsmDecoupledVpc(this, 'Network', {
 *   parameterPrefix: '/my-app/network',
 * });
 *
 * // in any other stack or app
 * const vpc = SsmDecoupledVpc.fromParameters(this, 'Vpc', {
 *   parameterPrefix: '/my-app/network',
 * });
 */
export class SsmDecoupledVpc extends Construct {
  /**
   * Imports a VPC published by an SsmDecoupledVpc, in any stack of any app.
   *
   * The identifiers are resolved by CloudFormation at deploy time from SSM
   * parameters, so synthesis needs neither AWS credentials nor a concrete
   * stack environment, and no CloudFormation export is created. The returned VPC
   * can hold load balancers, Fargate services and anything else that places
   * itself in subnets.
   *
   * @param scope the scope of the imported VPC
   * @param id the construct id of the imported VPC
   * @param props where the VPC was published and what it looks like
   */
  public static fromParameters(scope: Construct, id: string, props: SsmDecoupledVpcImportProps): ec2.IVpc {
    const path = `${scope.node.path}/${id}`;
    const { names, azCount, subnetTypes } = resolveImport(path, props);
    checkAgainstProducerInApp(scope, path, props.parameterPrefix, subnetTypes);
    // Each identifier becomes a CloudFormation parameter only once something resolves it:
    // a consumer that never uses, say, the route table ids gets no parameter for them
    // (CloudFormation rejects templates with unused parameters as lint findings, and
    // every parameter is one more SSM read per deployment). valueForStringParameter
    // creates one parameter per name and stack, however often it is resolved.
    const read = (name: string) => Lazy.string({ produce: () => ssm.StringParameter.valueForStringParameter(scope, name) });
    const readList = (name: string) => Fn.split(',', read(name), azCount);

    const has = (t: ec2.SubnetType) => subnetTypes.includes(t);
    const subnetsOf = (t: ec2.SubnetType) => has(t)
      ? {
        ids: readList(names.subnetIds(t)),
        routeTableIds: readList(names.routeTableIds(t)),
        cidrs: readList(names.subnetCidrs(t)),
      }
      : undefined;
    const pub = subnetsOf(ec2.SubnetType.PUBLIC);
    const priv = subnetsOf(ec2.SubnetType.PRIVATE_WITH_EGRESS);
    const iso = subnetsOf(ec2.SubnetType.PRIVATE_ISOLATED);

    // deploy time, before anything is created: the producer's published subnet types hold
    // every type asked for (CloudFormation Rules evaluate parameter values, SSM-typed ones
    // included, before a stack is created or updated: "Rules" in the CloudFormation User
    // Guide). A type whose lists were never published stops CloudFormation earlier, when it
    // fetches the SSM-typed parameters ("Unable to fetch parameters [...]"): this rule speaks
    // when the lists exist but subnet-types disagrees.
    const published = ssm.StringParameter.valueForStringParameter(scope, names.subnetTypes);
    new CfnRule(scope, `${id}SubnetTypesRule`, {
      assertions: subnetTypes.map((t) => ({
        assert: Fn.conditionContains(publishedListsWith(t), published),
        assertDescription: `${path} (SsmDecoupledVpc.fromParameters) imports ${subnetTypeName(t)} subnets, but the VPC published under `
          + `${props.parameterPrefix} (the SsmDecoupledVpc that wrote ${names.subnetTypes}) has none. Remove ${subnetTypeName(t)} from subnetTypes, `
          + `or give the producer such subnets${t === ec2.SubnetType.PRIVATE_WITH_EGRESS ? ' (natGateways of 1 or more)' : ''} and deploy it first.`,
      })),
    });

    return ec2.Vpc.fromVpcAttributes(scope, id, {
      vpcId: read(names.vpcId),
      vpcCidrBlock: read(names.vpcCidr),
      availabilityZones: readList(names.availabilityZones),
      publicSubnetIds: pub?.ids,
      publicSubnetRouteTableIds: pub?.routeTableIds,
      publicSubnetIpv4CidrBlocks: pub?.cidrs,
      privateSubnetIds: priv?.ids,
      privateSubnetRouteTableIds: priv?.routeTableIds,
      privateSubnetIpv4CidrBlocks: priv?.cidrs,
      isolatedSubnetIds: iso?.ids,
      isolatedSubnetRouteTableIds: iso?.routeTableIds,
      isolatedSubnetIpv4CidrBlocks: iso?.cidrs,
    });
  }

  /**
   * Looks up a published VPC at synth time, the way the `/go-on-aws/vpc` seed does:
   * the VPC id is read from SSM and the VPC is then described through the EC2 API.
   *
   * Needs a stack with a concrete `env` and AWS credentials on the first synth;
   * the results are cached in `cdk.context.json` and later synths run offline.
   * Prefer `SsmDecoupledVpc.fromParameters`, which needs neither.
   *
   * @param scope the scope of the imported VPC
   * @param id the construct id of the imported VPC
   * @param props which parameter holds the VPC id
   */
  public static fromLookup(scope: Construct, id: string, props: SsmDecoupledVpcLookupProps): ec2.IVpc {
    const path = `${scope.node.path}/${id}`;
    if ((props.vpcIdParameterName === undefined) === (props.parameterPrefix === undefined)) {
      invalid(path, 'props', props, 'must set exactly one of vpcIdParameterName and parameterPrefix');
    }
    let parameterName: string;
    if (props.parameterPrefix !== undefined) {
      checkParameterPrefix(path, 'parameterPrefix', props.parameterPrefix);
      parameterName = new ParameterNames(props.parameterPrefix).vpcId;
    } else {
      checkParameterName(path, 'vpcIdParameterName', props.vpcIdParameterName!);
      parameterName = props.vpcIdParameterName!;
    }
    const stack = Stack.of(scope);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      throw new Error(`${path}: SsmDecoupledVpc.fromLookup needs a stack with a concrete env (account and region) ` +
        `to look up "${parameterName}", but stack ${stack.node.path} is environment-agnostic. ` +
        'Set env on the stack, or use SsmDecoupledVpc.fromParameters, which needs no env and no credentials.');
    }
    const vpcId = ssm.StringParameter.valueFromLookup(scope, parameterName);
    return ec2.Vpc.fromLookup(scope, id, { vpcId });
  }

  /**
   * Grants `ssm:GetParameter` and `ssm:GetParameters` on exactly the parameters
   * that `SsmDecoupledVpc.fromParameters` reads with these props, for a
   * reader outside the producer's stack (for example a function in another app).
   *
   * @param scope any construct in the stack of the grantee (used for the region and account of the ARNs)
   * @param grantee the principal to grant read access to
   * @param props where the VPC was published and what it looks like
   */
  public static grantReadParameters(scope: Construct, grantee: iam.IGrantable, props: SsmDecoupledVpcImportProps): iam.Grant {
    const { names, subnetTypes } = resolveImport(scope.node.path, props);
    const stack = Stack.of(scope);
    return grantGetParameters(grantee, names.all(subnetTypes).map((name) =>
      stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) }),
    ));
  }

  /** The VPC. */
  public readonly vpc: ec2.Vpc;

  /** The path the identifiers are published under. */
  public readonly parameterPrefix: string;

  /** The subnet types this VPC has and publishes, in publication order. */
  public readonly subnetTypes: ec2.SubnetType[];

  /** Every parameter this construct writes, including `vpcIdParameterName` when set. */
  public readonly parameters: ssm.StringParameter[];

  /** The gateway endpoints of the VPC. */
  public readonly gatewayEndpoints: ec2.GatewayVpcEndpoint[];

  /**
   * The flow log of the VPC.
   *
   * @default - undefined when `flowLogs` is false
   */
  public readonly flowLog?: ec2.FlowLog;

  /**
   * The log group that receives the flow log records.
   *
   * @default - undefined when `flowLogs` is false
   */
  public readonly flowLogGroup?: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SsmDecoupledVpcProps) {
    super(scope, id);
    const path = this.node.path;

    checkParameterPrefix(path, 'parameterPrefix', props.parameterPrefix);
    const names = new ParameterNames(props.parameterPrefix);
    if (props.vpcIdParameterName !== undefined) {
      checkParameterName(path, 'vpcIdParameterName', props.vpcIdParameterName);
      if (props.vpcIdParameterName.startsWith(`${props.parameterPrefix}/`)) {
        invalid(path, 'vpcIdParameterName', props.vpcIdParameterName,
          `must not be under parameterPrefix "${props.parameterPrefix}", whose names the construct writes itself (${names.vpcId} already holds the VPC id)`);
      }
    }
    checkVpcLayout(path, props);
    const maxAzs = checkInteger(path, 'maxAzs', props.maxAzs, { min: 1 }) ?? 2;
    const natGateways = checkInteger(path, 'natGateways', props.natGateways, { min: 0, max: maxAzs }) ?? 1;
    if (props.natInstanceType && natGateways === 0) {
      invalid(path, 'natInstanceType', props.natInstanceType.toString(), 'needs natGateways of 1 or more (the number of NAT instances); remove it, or raise natGateways');
    }
    const subnetConfiguration = props.subnetConfiguration ?? defaultSubnets(natGateways);
    checkSubnetConfiguration(path, subnetConfiguration, natGateways);

    this.parameterPrefix = props.parameterPrefix;

    // network
    const natProvider = props.natInstanceType ? natInstances(props.natInstanceType) : undefined;
    const created = createVpc(this, { ...props, maxAzs, natGateways, subnetConfiguration }, natProvider);
    this.vpc = created.vpc;
    if (natProvider) {
      hardenNatInstances(natProvider, this.vpc);
    }
    this.gatewayEndpoints = created.gatewayEndpoints;
    this.flowLog = created.flowLog;
    this.flowLogGroup = created.flowLogGroup;

    // publication
    this.subnetTypes = PUBLISHABLE_SUBNET_TYPES.filter((t) => subnetsOfType(this.vpc, t).length > 0);
    const publish = (idPrefix: string, parameterName: string, value: string, what: string) =>
      new ssm.StringParameter(this, `${idPrefix}Parameter`, {
        parameterName,
        stringValue: value,
        description: `${what} of the VPC ${this.node.path}, published by SsmDecoupledVpc`,
      });
    const join = (values: string[]) => Fn.join(',', values);

    this.parameters = [
      publish('VpcId', names.vpcId, this.vpc.vpcId, 'Id'),
      publish('VpcCidr', names.vpcCidr, this.vpc.vpcCidrBlock, 'IPv4 CIDR block'),
      publish('AvailabilityZones', names.availabilityZones, join(this.vpc.availabilityZones), 'Availability zones (comma-separated)'),
    ];
    for (const subnetType of this.subnetTypes) {
      const subnets = subnetsOfType(this.vpc, subnetType);
      const idPrefix = pascalCase(subnetTypeSegment(subnetType));
      const kind = subnetTypeSegment(subnetType);
      this.parameters.push(
        publish(`${idPrefix}SubnetIds`, names.subnetIds(subnetType), join(subnets.map((s) => s.subnetId)),
          `Ids of the ${kind} subnets (comma-separated, in availability zone order)`),
        publish(`${idPrefix}RouteTableIds`, names.routeTableIds(subnetType), join(subnets.map((s) => s.routeTable.routeTableId)),
          `Route table ids of the ${kind} subnets (comma-separated, in availability zone order)`),
        publish(`${idPrefix}SubnetCidrs`, names.subnetCidrs(subnetType), join(subnets.map((s) => s.ipv4CidrBlock)),
          `IPv4 CIDR blocks of the ${kind} subnets (comma-separated, in availability zone order)`),
      );
    }
    this.parameters.push(
      publish('SubnetTypes', names.subnetTypes, this.subnetTypes.map(subnetTypeSegment).join(','),
        'Subnet types (comma-separated: public, private-with-egress, private-isolated)'),
      publish('PrivateEgress', names.privateEgress,
        this.subnetTypes.includes(ec2.SubnetType.PRIVATE_WITH_EGRESS) ? (natProvider ? 'nat-instance' : 'nat-gateway') : 'none',
        'What gives the private subnets their way out (nat-gateway, nat-instance or none)'),
    );
    if (props.vpcIdParameterName !== undefined) {
      this.parameters.push(publish('VpcIdAlias', props.vpcIdParameterName, this.vpc.vpcId, 'Id'));
    }
  }

  /**
   * Grants `ssm:GetParameter` and `ssm:GetParameters` on exactly the parameters
   * this construct writes.
   *
   * @param grantee the principal to grant read access to
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantGetParameters(grantee, this.parameters.map((p) => p.parameterArn));
  }
}

function resolveImport(path: string, props: SsmDecoupledVpcImportProps) {
  checkParameterPrefix(path, 'parameterPrefix', props.parameterPrefix);
  checkLiteral(path, 'availabilityZoneCount', props.availabilityZoneCount, 'the lists of subnets are split into that many items at synth time');
  const azCount = checkInteger(path, 'availabilityZoneCount', props.availabilityZoneCount, { min: 1, max: 32 }) ?? 2;
  const subnetTypes = (props.subnetTypes ?? [ec2.SubnetType.PUBLIC, ec2.SubnetType.PRIVATE_WITH_EGRESS]).map(canonicalSubnetType);
  if (subnetTypes.length === 0) {
    invalid(path, 'subnetTypes', subnetTypes, 'must name at least one subnet type');
  }
  if (new Set(subnetTypes).size !== subnetTypes.length) {
    invalid(path, 'subnetTypes', subnetTypes.map(subnetTypeName), 'must not name a subnet type twice');
  }
  return { names: new ParameterNames(props.parameterPrefix), azCount, subnetTypes };
}

/** The producers' `subnet-types` values (types in publication order) that include `subnetType`. */
function publishedListsWith(subnetType: ec2.SubnetType): string[] {
  // every subset of the publishable types, in publication order: [], [public], [pwe], [public, pwe], ...
  const subsets = PUBLISHABLE_SUBNET_TYPES.reduce<ec2.SubnetType[][]>(
    (acc, type) => [...acc, ...acc.map((subset) => [...subset, type])], [[]]);
  return subsets.filter((types) => types.includes(subnetType)).map((types) => types.map(subnetTypeSegment).join(','));
}

/**
 * The synth-time half of the subnet type check: an SsmDecoupledVpc publishing under
 * `prefix` in this app must have every subnet type the consumer at `path` imports. Checked
 * at once against a producer already in the app, and again when the app is synthesized,
 * against one written after the consumer.
 */
function checkAgainstProducerInApp(scope: Construct, path: string, prefix: string, subnetTypes: ec2.SubnetType[]): void {
  const check = () => checkAgainstProducer(scope, path, prefix, subnetTypes);
  check();
  scope.node.addValidation({
    validate: () => {
      try {
        check();
        return [];
      } catch (e) {
        return [e instanceof Error ? e.message : String(e)];
      }
    },
  });
}

function checkAgainstProducer(scope: Construct, path: string, prefix: string, subnetTypes: ec2.SubnetType[]): void {
  // SSM is regional: the same prefix in each region (or account) is a VPC of its own there, so
  // only a producer that may share the consumer's environment counts, and only when it is the one
  const consumer = Stack.of(scope);
  const sameOrUnknown = (a: string, b: string) => Token.isUnresolved(a) || Token.isUnresolved(b) || a === b;
  const producers = scope.node.root.node.findAll().filter((c): c is SsmDecoupledVpc => c instanceof SsmDecoupledVpc && c.parameterPrefix === prefix
    && sameOrUnknown(Stack.of(c).region, consumer.region) && sameOrUnknown(Stack.of(c).account, consumer.account));
  const producer = producers.length === 1 ? producers[0] : undefined;
  const missing = producer ? subnetTypes.filter((t) => !producer.subnetTypes.includes(t)) : [];
  if (producer && missing.length > 0) {
    invalid(path, 'subnetTypes', subnetTypes.map(subnetTypeName),
      `must be subnet types the VPC published under ${prefix} has: ${producer.node.path} (SsmDecoupledVpc) has ${producer.subnetTypes.map(subnetTypeName).join(', ')}, `
      + `not ${missing.map(subnetTypeName).join(', ')}`);
  }
}

/**
 * What the NAT instances need beside aws-cdk-lib's defaults: their security group admits
 * the VPC's range alone, their root volume is encrypted, and the cdk-nag findings that
 * remain are acknowledged with the reason.
 */
function hardenNatInstances(natProvider: ec2.NatInstanceProviderV2, vpc: ec2.IVpc): void {
  natProvider.connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.allTraffic(), 'from the VPC, to the internet through NAT');
  acknowledgeNagFinding(natProvider.securityGroup, 'AwsSolutions-EC23',
    'The NAT instances admit the VPC\'s own address range (a token cdk-nag cannot read), not the internet');
  for (const instance of natProvider.gatewayInstances) {
    // Amazon Linux 2023's root device, 8 GB gp3 as the image has it, encrypted
    (instance.node.defaultChild as ec2.CfnInstance).blockDeviceMappings = [{
      deviceName: '/dev/xvda',
      ebs: { encrypted: true, volumeSize: 8, volumeType: 'gp3', deleteOnTermination: true },
    }];
    acknowledgeNagFinding(instance, 'AwsSolutions-EC28',
      'Basic monitoring suffices for a NAT instance; detailed monitoring would add about $2 a month, a third of the instance');
    acknowledgeNagFinding(instance, 'AwsSolutions-EC29',
      'Termination protection would make CloudFormation fail to delete or replace the NAT instance; the instance holds no data');
  }
}

/** The package install that aws-cdk-lib's NAT instance boot script starts with. */
const NAT_PACKAGE_INSTALL = 'yum install iptables-services -y';

/**
 * aws-cdk-lib's boot commands of a NAT instance, the package install tried again until it
 * works (60 times, 5 s apart): on Amazon Linux 2023 it can lose a race with dnf at boot and
 * fail, and the script goes on without NAT, so the private subnets have no way out while the
 * deployment succeeds (aws/aws-cdk#36717, open). A test fails if aws-cdk-lib's first command
 * is another one than this replaces.
 */
const NAT_USER_DATA_COMMANDS = ec2.NatInstanceProviderV2.DEFAULT_USER_DATA_COMMANDS.map((command) => command === NAT_PACKAGE_INSTALL
  ? `for attempt in $(seq 1 60); do ${NAT_PACKAGE_INSTALL} && break; sleep 5; done`
  : command);

/** NAT instances of `instanceType` on Amazon Linux 2023 for its architecture, each with a public address. */
function natInstances(instanceType: ec2.InstanceType): ec2.NatInstanceProviderV2 {
  const userData = ec2.UserData.forLinux();
  userData.addCommands(...NAT_USER_DATA_COMMANDS);
  return ec2.NatProvider.instanceV2({
    userData,
    instanceType,
    machineImage: ec2.MachineImage.latestAmazonLinux2023({
      cpuType: instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64,
    }),
    associatePublicIpAddress: true,
    // not INBOUND_AND_OUTBOUND (the default), which admits the whole internet: the VPC's range alone, below
    defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
  });
}

function grantGetParameters(grantee: iam.IGrantable, resourceArns: string[]): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['ssm:GetParameter', 'ssm:GetParameters'],
    resourceArns,
  });
}

function checkSubnetConfiguration(path: string, groups: ec2.SubnetConfiguration[], natGateways: number): void {
  const active = groups.filter((g) => !g.reserved).map((g) => ({ ...g, subnetType: canonicalSubnetType(g.subnetType) }));
  if (active.length === 0) {
    invalid(path, 'subnetConfiguration', groups.map((g) => g.name), 'must have at least one subnet group that is not reserved');
  }
  for (const subnetType of new Set(active.map((g) => g.subnetType))) {
    const sameType = active.filter((g) => g.subnetType === subnetType);
    if (sameType.length > 1) {
      invalid(path, 'subnetConfiguration', sameType.map((g) => g.name),
        `must have at most one group per subnet type, because the parameters are published per type; these groups are all ${subnetTypeName(subnetType)}`);
    }
  }
  if (natGateways === 0 && active.some((g) => g.subnetType === ec2.SubnetType.PRIVATE_WITH_EGRESS)) {
    invalid(path, 'subnetConfiguration', active.map((g) => `${g.name}:${subnetTypeName(g.subnetType)}`),
      'must not have a PRIVATE_WITH_EGRESS group when natGateways is 0 (nothing would provide the egress); use PRIVATE_ISOLATED, or set natGateways to at least 1');
  }
}

function subnetsOfType(vpc: ec2.IVpc, subnetType: ec2.SubnetType): ec2.ISubnet[] {
  switch (subnetType) {
    case ec2.SubnetType.PUBLIC:
      return vpc.publicSubnets;
    case ec2.SubnetType.PRIVATE_WITH_EGRESS:
      return vpc.privateSubnets;
    default:
      return vpc.isolatedSubnets;
  }
}
