import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SsmDecoupledVpc } from '../src';
import { synth, testApp } from './util';

/**
 * cdk-nag's AwsSolutions rules on each construct's default and fully featured
 * configuration. `synth` fails with every unacknowledged finding listed; the
 * acknowledgements live in the constructs, next to the resources, with a reason.
 */

interface NagCase {
  readonly name: string;
  readonly build: (stack: Stack) => void;
}

const cases: NagCase[] = [
  {
    name: 'SsmDecoupledVpc, default',
    build: (stack) => new SsmDecoupledVpc(stack, 'Network', { parameterPrefix: '/nag/network' }),
  },
  {
    name: 'SsmDecoupledVpc, fully featured',
    build: (stack) => {
      const network = new SsmDecoupledVpc(stack, 'Network', {
        parameterPrefix: '/nag/network',
        vpcIdParameterName: '/nag/vpc',
        maxAzs: 3,
        natGateways: 3,
        subnetConfiguration: [
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
          { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        ],
        gatewayEndpoints: [ec2.GatewayVpcEndpointAwsService.S3],
        flowLogTrafficType: ec2.FlowLogTrafficType.REJECT,
      });
      network.grantRead(new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    },
  },
];

test.each(cases.map((c) => [c.name, c] as const))('%s passes AwsSolutions checks', (_name, c) => {
  const app = testApp({ nag: true });
  const stack = new Stack(app, 'NagStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  c.build(stack);
  expect(() => synth(app)).not.toThrow();
});

test('the nag helper really fails on a finding', () => {
  const app = testApp({ nag: true });
  const stack = new Stack(app, 'NagStack');
  new ec2.Vpc(stack, 'BareVpc', { restrictDefaultSecurityGroup: false });
  expect(() => synth(app)).toThrow(/\[AwsSolutions\] error AwsSolutions-VPC7 at NagStack\/BareVpc\/Resource/);
});
