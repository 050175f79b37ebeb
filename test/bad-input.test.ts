import { Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SsmDecoupledVpc, SsmDecoupledVpcProps } from '../src';
import { testApp } from './util';

/**
 * Every validation rule of the library, fed a bad value.
 *
 * Each row builds the construct with one bad input and names the message it must
 * throw: the construct path, the prop, the bad value and what is allowed.
 */

interface BadInput {
  /** What is wrong, as the test name. */
  readonly name: string;
  /** Builds the construct in a fresh environment-agnostic stack. */
  readonly build: (stack: Stack) => unknown;
  /** The message, as a regular expression. */
  readonly error: RegExp;
}

const PREFIX = '/my-app/network';
const vpcWith = (props: Partial<SsmDecoupledVpcProps>) => (stack: Stack) =>
  new SsmDecoupledVpc(stack, 'Network', { parameterPrefix: PREFIX, ...props });

const ssmDecoupledVpc: BadInput[] = [
  {
    name: 'parameterPrefix without a leading slash',
    build: vpcWith({ parameterPrefix: 'my-app/network' }),
    error: /^TestStack\/Network: parameterPrefix must start with "\/".*got "my-app\/network"$/,
  },
  {
    name: 'parameterPrefix with a trailing slash',
    build: vpcWith({ parameterPrefix: '/my-app/network/' }),
    error: /^TestStack\/Network: parameterPrefix must not end with "\/".*got "\/my-app\/network\/"$/,
  },
  {
    name: 'parameterPrefix under the reserved /aws',
    build: vpcWith({ parameterPrefix: '/aws/network' }),
    error: /parameterPrefix must not start with "\/aws" or "\/ssm".*got "\/aws\/network"/,
  },
  {
    name: 'parameterPrefix under the reserved /ssm, in capitals',
    build: vpcWith({ parameterPrefix: '/SSM-config/network' }),
    error: /parameterPrefix must not start with "\/aws" or "\/ssm" \(reserved by AWS, in any letter case\), got "\/SSM-config\/network"/,
  },
  {
    name: 'parameterPrefix with a space',
    build: vpcWith({ parameterPrefix: '/my app/network' }),
    error: /parameterPrefix may only contain segments of letters, digits.*got "\/my app\/network"/,
  },
  {
    name: 'parameterPrefix with an empty segment',
    build: vpcWith({ parameterPrefix: '/my-app//network' }),
    error: /parameterPrefix may only contain segments.*got "\/my-app\/\/network"/,
  },
  {
    name: 'parameterPrefix too deep for the names appended to it',
    build: vpcWith({ parameterPrefix: '/a/b/c/d/e/f/g/h/i/j/k/l/m/n' }),
    error: /parameterPrefix may have at most 13 levels \(SSM allows 15 levels.*appends up to 2 levels.*\), this one has 14, got "\/a\/b/,
  },
  {
    name: 'parameterPrefix too long for the names appended to it',
    build: vpcWith({ parameterPrefix: `/${'x'.repeat(980)}` }),
    error: /parameterPrefix may be at most 975 characters long .*this one has 981, got "\/xxx/,
  },
  {
    name: 'parameterPrefix that is a token',
    build: vpcWith({ parameterPrefix: Lazy.string({ produce: () => '/late' }) }),
    error: /parameterPrefix must be a literal string, because parameter names are computed at synth time/,
  },
  {
    name: 'vpcIdParameterName without a leading slash',
    build: vpcWith({ vpcIdParameterName: 'go-on-aws/vpc' }),
    error: /^TestStack\/Network: vpcIdParameterName must start with "\/".*got "go-on-aws\/vpc"$/,
  },
  {
    name: 'vpcIdParameterName under the prefix the construct writes',
    build: vpcWith({ vpcIdParameterName: `${PREFIX}/vpc-id` }),
    error: /vpcIdParameterName must not be under parameterPrefix "\/my-app\/network".*got "\/my-app\/network\/vpc-id"/,
  },
  {
    name: 'maxAzs of 0',
    build: vpcWith({ maxAzs: 0 }),
    error: /^TestStack\/Network: maxAzs must be a whole number of at least 1, got 0$/,
  },
  {
    name: 'maxAzs that is not a whole number',
    build: vpcWith({ maxAzs: 1.5 }),
    error: /maxAzs must be a whole number of at least 1, got 1.5/,
  },
  {
    name: 'negative natGateways',
    build: vpcWith({ natGateways: -1 }),
    error: /^TestStack\/Network: natGateways must be a whole number from 0 to 2, got -1$/,
  },
  {
    name: 'more NAT gateways than availability zones',
    build: vpcWith({ maxAzs: 2, natGateways: 3 }),
    error: /natGateways must be a whole number from 0 to 2, got 3/,
  },
  {
    name: 'two subnet groups of the same type',
    build: vpcWith({
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'Jobs', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    }),
    error: /subnetConfiguration must have at most one group per subnet type.*these groups are all PRIVATE_WITH_EGRESS, got \["App","Jobs"\]/,
  },
  {
    name: 'private subnets with egress and the deprecated PRIVATE_WITH_NAT side by side',
    build: vpcWith({
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'Legacy', subnetType: ec2.SubnetType.PRIVATE_WITH_NAT },
      ],
    }),
    error: /subnetConfiguration must have at most one group per subnet type.*got \["App","Legacy"\]/,
  },
  {
    name: 'private subnets with egress but no NAT gateway',
    build: vpcWith({
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    }),
    error: /subnetConfiguration must not have a PRIVATE_WITH_EGRESS group when natGateways is 0.*use PRIVATE_ISOLATED, or set natGateways to at least 1, got \["Public:PUBLIC","App:PRIVATE_WITH_EGRESS"\]/,
  },
  {
    name: 'no subnet group that creates subnets',
    build: vpcWith({ subnetConfiguration: [{ name: 'Later', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, reserved: true }] }),
    error: /subnetConfiguration must have at least one subnet group that is not reserved, got \["Later"\]/,
  },
  {
    name: 'fromParameters with a bad prefix',
    build: (stack) => SsmDecoupledVpc.fromParameters(stack, 'Imported', { parameterPrefix: '/my-app/network/' }),
    error: /^TestStack\/Imported: parameterPrefix must not end with "\/"/,
  },
  {
    name: 'fromParameters with availabilityZoneCount 0',
    build: (stack) => SsmDecoupledVpc.fromParameters(stack, 'Imported', { parameterPrefix: PREFIX, availabilityZoneCount: 0 }),
    error: /^TestStack\/Imported: availabilityZoneCount must be a whole number from 1 to 32, got 0$/,
  },
  {
    name: 'fromParameters without subnet types',
    build: (stack) => SsmDecoupledVpc.fromParameters(stack, 'Imported', { parameterPrefix: PREFIX, subnetTypes: [] }),
    error: /^TestStack\/Imported: subnetTypes must name at least one subnet type, got \[\]$/,
  },
  {
    name: 'fromParameters naming a subnet type twice',
    build: (stack) => SsmDecoupledVpc.fromParameters(stack, 'Imported', {
      parameterPrefix: PREFIX,
      subnetTypes: [ec2.SubnetType.PUBLIC, ec2.SubnetType.PUBLIC],
    }),
    error: /subnetTypes must not name a subnet type twice, got \["PUBLIC","PUBLIC"\]/,
  },
  {
    name: 'fromLookup with both a parameter name and a prefix',
    build: (stack) => SsmDecoupledVpc.fromLookup(stack, 'LookedUp', { vpcIdParameterName: '/go-on-aws/vpc', parameterPrefix: PREFIX }),
    error: /^TestStack\/LookedUp: props must set exactly one of vpcIdParameterName and parameterPrefix/,
  },
  {
    name: 'fromLookup with neither a parameter name nor a prefix',
    build: (stack) => SsmDecoupledVpc.fromLookup(stack, 'LookedUp', {}),
    error: /props must set exactly one of vpcIdParameterName and parameterPrefix, got \{\}/,
  },
  {
    name: 'fromLookup with a bad parameter name',
    build: (stack) => SsmDecoupledVpc.fromLookup(stack, 'LookedUp', { vpcIdParameterName: '/aws/vpc' }),
    error: /vpcIdParameterName must not start with "\/aws"/,
  },
  {
    name: 'fromLookup in an environment-agnostic stack',
    build: (stack) => SsmDecoupledVpc.fromLookup(stack, 'LookedUp', { vpcIdParameterName: '/go-on-aws/vpc' }),
    error: /^TestStack\/LookedUp: SsmDecoupledVpc.fromLookup needs a stack with a concrete env .* stack TestStack is environment-agnostic\. Set env on the stack, or use SsmDecoupledVpc.fromParameters/,
  },
  {
    name: 'grantReadParameters with a bad prefix',
    build: (stack) => SsmDecoupledVpc.grantReadParameters(stack,
      new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }),
      { parameterPrefix: 'network' }),
    error: /^TestStack: parameterPrefix must start with "\/"/,
  },
];

describe.each([
  ['SsmDecoupledVpc', ssmDecoupledVpc],
])('%s rejects', (_construct, rows) => {
  test.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const stack = new Stack(testApp(), 'TestStack');
    expect(() => row.build(stack)).toThrow(row.error);
  });
});

test('errors are plain Errors, never TypeErrors', () => {
  for (const row of ssmDecoupledVpc) {
    const stack = new Stack(testApp(), 'TestStack');
    let thrown: unknown;
    try {
      row.build(stack);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(TypeError);
  }
});
