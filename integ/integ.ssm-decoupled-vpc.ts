import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { integApp, INTEG_PARAMETER_ROOT, SNAPSHOT_OPTIONS, valuesOf } from './util';
import { SsmDecoupledVpc } from '../src';

/**
 * A producer stack publishes its VPC through SSM; a consumer stack imports it with
 * fromParameters and places a security group in it. The assertions read the
 * parameters back through the SSM API and check them against what EC2 reports: the
 * VPC and its CIDR, the zones, the public and private subnets, the private route
 * tables' default route through the NAT gateway, and the consumer's security group in
 * the published VPC.
 */
const PREFIX = `${INTEG_PARAMETER_ROOT}/ssm-decoupled-vpc/network`;
const VPC_ID_ALIAS = `${INTEG_PARAMETER_ROOT}/ssm-decoupled-vpc/vpc`;
const CONSUMER_SG = `${INTEG_PARAMETER_ROOT}/ssm-decoupled-vpc/consumer-security-group`;

const app = integApp();

const producer = new Stack(app, 'SsmDecoupledVpcProducer');
new SsmDecoupledVpc(producer, 'Network', { parameterPrefix: PREFIX, vpcIdParameterName: VPC_ID_ALIAS });

const consumer = new Stack(app, 'SsmDecoupledVpcConsumer');
const imported = SsmDecoupledVpc.fromParameters(consumer, 'Vpc', { parameterPrefix: PREFIX });
const securityGroup = new ec2.SecurityGroup(consumer, 'AppSecurityGroup', {
  vpc: imported,
  description: 'Placed in the VPC imported through SSM',
  allowAllOutbound: false,
});
new ssm.StringParameter(consumer, 'SecurityGroupId', { parameterName: CONSUMER_SG, stringValue: securityGroup.securityGroupId });
consumer.addStackDependency(producer);

const integ = new IntegTest(app, 'SsmDecoupledVpcTest', { testCases: [producer, consumer], ...SNAPSHOT_OPTIONS });
const assertions = integ.assertions;
const getParameter = (name: string) => assertions.awsApiCall('SSM', 'getParameter', { Name: name });
const valueOf = (name: string) => getParameter(name).getAttString('Parameter.Value');
const BOTH = [0, 1];

// the VPC the id points at exists, is available and has the published CIDR
const vpcId = valueOf(`${PREFIX}/vpc-id`);
getParameter(`${PREFIX}/vpc-cidr`).expect(ExpectedResult.objectLike({ Parameter: { Value: '10.0.0.0/16' } }));
assertions.expect('Vpc',
  ExpectedResult.exact({ id: vpcId, cidr: '10.0.0.0/16', state: 'available' }),
  valuesOf(assertions.awsApiCall('EC2', 'describeVpcs', { VpcIds: [vpcId] }),
    { id: 'Vpcs.0.VpcId', cidr: 'Vpcs.0.CidrBlock', state: 'Vpcs.0.State' }));

// the seed-compatible parameter holds the same id
getParameter(VPC_ID_ALIAS).expect(ExpectedResult.objectLike({ Parameter: { Value: vpcId } }));

// the published zones are real, available zones
assertions.expect('AvailabilityZones',
  ExpectedResult.exact(BOTH.map(() => 'available')),
  valuesOf(assertions.awsApiCall('EC2', 'describeAvailabilityZones', { ZoneNames: Fn.split(',', valueOf(`${PREFIX}/availability-zones`), 2) }),
    BOTH.map((i) => `AvailabilityZones.${i}.State`)));

// public subnets belong to the VPC and give public IPs; private ones do not
for (const [kind, publicIps] of [['public', 'true'], ['private-with-egress', 'false']] as const) {
  const subnets = assertions.awsApiCall('EC2', 'describeSubnets', { SubnetIds: Fn.split(',', valueOf(`${PREFIX}/${kind}/subnet-ids`), 2) });
  assertions.expect(`Subnets${kind.replace(/-/g, '')}`,
    ExpectedResult.exact(BOTH.map(() => ({ vpc: vpcId, publicIps }))),
    valuesOf(subnets, BOTH.map((i) => ({ vpc: `Subnets.${i}.VpcId`, publicIps: `Subnets.${i}.MapPublicIpOnLaunch` }))));
}

// both private route tables send the internet-bound traffic to the VPC's NAT gateway: of
// the published tables, EC2 must return both when asked for those with that route
const natGateway = assertions.awsApiCall('EC2', 'describeNatGateways', {
  Filter: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'state', Values: ['available'] }],
}).getAttString('NatGateways.0.NatGatewayId');
const routed = assertions.awsApiCall('EC2', 'describeRouteTables', {
  RouteTableIds: Fn.split(',', valueOf(`${PREFIX}/private-with-egress/route-table-ids`), 2),
  Filters: [
    { Name: 'route.destination-cidr-block', Values: ['0.0.0.0/0'] },
    { Name: 'route.nat-gateway-id', Values: [natGateway] },
  ],
});
assertions.expect('PrivateRoutesThroughNat',
  ExpectedResult.exact(BOTH.map(() => vpcId)),
  valuesOf(routed, BOTH.map((i) => `RouteTables.${i}.VpcId`)));

// the consumer's security group landed in the producer's VPC
assertions.expect('ConsumerSecurityGroup',
  ExpectedResult.exact({ vpc: vpcId }),
  valuesOf(assertions.awsApiCall('EC2', 'describeSecurityGroups', { GroupIds: [valueOf(CONSUMER_SG)] }),
    { vpc: 'SecurityGroups.0.VpcId' }));
