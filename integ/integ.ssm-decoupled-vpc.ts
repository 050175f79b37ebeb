import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { integApp, INTEG_PARAMETER_ROOT, SNAPSHOT_OPTIONS } from './util';
import { SsmDecoupledVpc } from '../src';

/**
 * A producer stack publishes its VPC through SSM; a consumer stack imports it with
 * fromParameters and places a security group in it. The assertions read the
 * parameters back through the SSM API and check them against what EC2 reports.
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

// the VPC the id points at exists and has the published CIDR
const vpcId = valueOf(`${PREFIX}/vpc-id`);
getParameter(`${PREFIX}/vpc-cidr`).expect(ExpectedResult.objectLike({ Parameter: { Value: '10.0.0.0/16' } }));
assertions.awsApiCall('EC2', 'describeVpcs', { VpcIds: [vpcId] })
  .expect(ExpectedResult.objectLike({ Vpcs: [Match.objectLike({ VpcId: vpcId, CidrBlock: '10.0.0.0/16', State: 'available' })] }));

// the seed-compatible parameter holds the same id
getParameter(VPC_ID_ALIAS).expect(ExpectedResult.objectLike({ Parameter: { Value: vpcId } }));

// the published zones are real, available zones
assertions.awsApiCall('EC2', 'describeAvailabilityZones', { ZoneNames: Fn.split(',', valueOf(`${PREFIX}/availability-zones`), 2) })
  .expect(ExpectedResult.objectLike({
    AvailabilityZones: [Match.objectLike({ State: 'available' }), Match.objectLike({ State: 'available' })],
  }));

// public subnets belong to the VPC and give public IPs; private ones do not
for (const [kind, publicIps] of [['public', true], ['private-with-egress', false]] as const) {
  assertions.awsApiCall('EC2', 'describeSubnets', { SubnetIds: Fn.split(',', valueOf(`${PREFIX}/${kind}/subnet-ids`), 2) })
    .expect(ExpectedResult.objectLike({
      Subnets: [0, 1].map(() => Match.objectLike({ VpcId: vpcId, MapPublicIpOnLaunch: publicIps })),
    }));
}

// private route tables send the internet-bound traffic to the NAT gateway
assertions.awsApiCall('EC2', 'describeRouteTables', {
  RouteTableIds: Fn.split(',', valueOf(`${PREFIX}/private-with-egress/route-table-ids`), 2),
}).expect(ExpectedResult.objectLike({
  RouteTables: [0, 1].map(() => Match.objectLike({
    VpcId: vpcId,
    Routes: Match.arrayWith([Match.objectLike({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: Match.stringLikeRegexp('^nat-') })]),
  })),
}));

// the consumer's security group landed in the producer's VPC
assertions.awsApiCall('EC2', 'describeSecurityGroups', { GroupIds: [valueOf(CONSUMER_SG)] })
  .expect(ExpectedResult.objectLike({ SecurityGroups: [Match.objectLike({ VpcId: vpcId })] }));
