import { CfnParameter, Duration, Lazy, RemovalPolicy, Size, Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  LoadBalancedScalingService, LoadBalancedScalingServiceProps, ScheduledFargateEtl, ScheduledFargateEtlProps,
  SsmDecoupledVpc, SsmDecoupledVpcProps, WordpressFargateSite, WordpressFargateSiteProps,
} from '../src';
import { assetImage, IMAGE, MONTHLY, testApp } from './support';
import { synthFindings } from './support/fuzz';

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
    name: 'NAT instances without NAT (natGateways 0)',
    build: vpcWith({ natGateways: 0, natInstanceType: new ec2.InstanceType('t4g.nano') }),
    error: /^TestStack\/Network: natInstanceType needs natGateways of 1 or more \(the number of NAT instances\); remove it, or raise natGateways, got "t4g\.nano"$/,
  },
  {
    name: 'fromParameters asking for subnets the producer in the app lacks',
    build: (stack) => {
      vpcWith({ natGateways: 0 })(stack);
      return SsmDecoupledVpc.fromParameters(stack, 'Imported', { parameterPrefix: PREFIX });
    },
    error: /^TestStack\/Imported: subnetTypes must be subnet types the VPC published under \/my-app\/network has: TestStack\/Network \(SsmDecoupledVpc\) has PUBLIC, PRIVATE_ISOLATED, not PRIVATE_WITH_EGRESS, got \["PUBLIC","PRIVATE_WITH_EGRESS"\]$/,
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
  // found by the props fuzz suite (test/props.fuzz.test.ts)
  {
    name: 'maxAzs that is a token',
    build: vpcWith({ maxAzs: Lazy.number({ produce: () => 2 }) }),
    error: /^TestStack\/Network: maxAzs must be a literal number, because the subnets are laid out at synth time, got "\$\{Token\[TOKEN\.\d+\]\}"$/,
  },
  {
    name: 'natGateways from a CloudFormation parameter',
    build: (stack) => vpcWith({ natGateways: new CfnParameter(stack, 'Nat', { type: 'Number' }).valueAsNumber })(stack),
    error: /^TestStack\/Network: natGateways must be a literal number, because the subnets are laid out at synth time/,
  },
  {
    name: 'two subnet groups with one name',
    build: vpcWith({
      subnetConfiguration: [
        { name: 'Same', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Same', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    }),
    error: /^TestStack\/Network: subnetConfiguration\[1\].name must be unique among the subnet groups \(it names their subnets\), got "Same"$/,
  },
  {
    name: 'a subnet group of /8',
    build: vpcWith({ subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 8 }] }),
    error: /^TestStack\/Network: subnetConfiguration\[0\].cidrMask must be a whole number from 16 to 28 \(EC2 subnets are \/16 to \/28\), got 8$/,
  },
  {
    name: 'a NAT gateway without a public subnet group',
    build: vpcWith({ subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }),
    error: /^TestStack\/Network: subnetConfiguration needs a PUBLIC group for the NAT gateways \(natGateways is 1\); add one, or set natGateways to 0, got \["Isolated"\]$/,
  },
  {
    name: 'an address range too small for the subnets',
    build: vpcWith({ ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/28') }),
    error: /^TestStack\/Network: ipAddresses must leave room for the subnets: 2 availability zones times the subnet groups, each subnet \/28 or larger \(aws-cdk-lib reports the error given\), got ".*CIDR/,
  },
  {
    name: 'the S3 gateway endpoint twice',
    build: vpcWith({ gatewayEndpoints: [ec2.GatewayVpcEndpointAwsService.S3, ec2.GatewayVpcEndpointAwsService.S3] }),
    error: /^TestStack\/Network: gatewayEndpoints\[1\] must not name a service twice, got "s3"$/,
  },
  {
    name: 'a flow log retention CloudWatch Logs does not offer',
    build: vpcWith({ flowLogRetention: 42 as logs.RetentionDays }),
    error: /^TestStack\/Network: flowLogRetention must be one of logs.RetentionDays \(1, 3, 5, .* or 3653 days, or INFINITE\), got 42$/,
  },
  {
    name: 'a VPC name longer than a tag value',
    build: vpcWith({ vpcName: 'n'.repeat(300) }),
    error: /^TestStack\/Network: vpcName must be 1 to 256 characters long \(the Name tag of the VPC; EC2 tag values are at most 256 characters\), got "n{40}\.\.\. \(300 characters\)"$/,
  },
  {
    name: 'fromParameters with availabilityZoneCount from a token',
    build: (stack) => SsmDecoupledVpc.fromParameters(stack, 'Imported', { parameterPrefix: PREFIX, availabilityZoneCount: Lazy.number({ produce: () => 2 }) }),
    error: /^TestStack\/Imported: availabilityZoneCount must be a literal number, because the lists of subnets are split into that many items at synth time/,
  },
];

const serviceWith = (props: Partial<LoadBalancedScalingServiceProps>) => (stack: Stack) =>
  new LoadBalancedScalingService(stack, 'Web', { image: IMAGE, ...props });
const certificate = (stack: Stack) =>
  acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456');
const daily = appscaling.Schedule.cron({ hour: '8', minute: '0' });

const ARM = ecrAssets.Platform.LINUX_ARM64;
const AMD = ecrAssets.Platform.LINUX_AMD64;

const loadBalancedScalingService: BadInput[] = [
  // the architecture of the task and of its image (shared by every construct)
  {
    name: 'an ARM64 task whose image asset is built for linux/amd64',
    build: serviceWith({ image: assetImage(AMD), cpuArchitecture: ecs.CpuArchitecture.ARM64 }),
    error: /^TestStack\/Web: image must be built for the task's architecture, linux\/arm64 \(from cpuArchitecture\): a container built for another one exits at once with "exec format error"; .*got "an image asset built for linux\/amd64"$/,
  },
  {
    name: 'an x86 task whose image asset is built for linux/arm64',
    build: serviceWith({ image: assetImage(ARM), cpuArchitecture: ecs.CpuArchitecture.X86_64 }),
    error: /^TestStack\/Web: image must be built for the task's architecture, linux\/amd64 \(from cpuArchitecture\).*got "an image asset built for linux\/arm64"$/,
  },
  {
    name: 'isolated task subnets in the VPC the construct creates, which has no way out for them',
    build: serviceWith({ taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
    error: /^TestStack\/Web: taskSubnets must select public subnets of the VPC the construct creates \(got 2 without a route out\): that VPC has no NAT gateway and no interface endpoints, .*got \{"subnetType":"Isolated"\}$/,
  },
  {
    name: 'an image asset built for a platform Fargate does not run',
    build: serviceWith({ image: assetImage(ecrAssets.Platform.custom('linux/arm/v7')) }),
    error: /^TestStack\/Web: image must be built for linux\/amd64 or linux\/arm64, the platforms Fargate runs Linux tasks on, got "an image asset built for linux\/arm\/v7"$/,
  },
  {
    // aws-cdk-lib's own default would pick the isolated subnets: no way out for a task
    name: 'a VPC given without the private subnets with egress the tasks run in by default',
    build: (stack) => serviceWith({
      vpc: new ec2.Vpc(stack, 'Vpc', {
        natGateways: 0,
        subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      }),
    })(stack),
    error: /^TestStack\/Web: vpc must have the subnets the tasks run in by default \(or set taskSubnets\): .*Private.*, got \{"subnetType":"Private"\}$/,
  },
  {
    name: 'an architecture Fargate does not run',
    build: serviceWith({ cpuArchitecture: ecs.CpuArchitecture.of('arm64') }),
    error: /^TestStack\/Web: cpuArchitecture must be X86_64 or ARM64, the architectures Fargate runs Linux tasks on, got "arm64"$/,
  },
  {
    name: 'an architecture named like a property every object has',
    build: serviceWith({ cpuArchitecture: ecs.CpuArchitecture.of('toString') }),
    error: /^TestStack\/Web: cpuArchitecture must be X86_64 or ARM64, .*got "toString"$/,
  },
  {
    name: 'Fargate Spot for a task on ARM64, as cpuArchitecture says',
    build: serviceWith({ fargateSpot: true, cpuArchitecture: ecs.CpuArchitecture.ARM64 }),
    error: /^TestStack\/Web: fargateSpot needs a task on X86_64, because Fargate Spot runs x86 Linux tasks only; the task runs on ARM64 \(from cpuArchitecture\), got true$/,
  },
  {
    name: 'Fargate Spot for a task on ARM64, as its image asset is built for',
    build: serviceWith({ fargateSpot: true, image: assetImage(ARM) }),
    error: /^TestStack\/Web: fargateSpot needs a task on X86_64, .*\(from the platform its image asset is built for\), got true$/,
  },
  // Fargate sizing (shared by every construct)
  {
    name: 'a cpu value Fargate does not offer',
    build: serviceWith({ cpu: 300 }),
    error: /^TestStack\/Web: cpu must be one of 256, 512, 1024, 2048, 4096, 8192 or 16384 \(CPU units, 1024 = 1 vCPU\), got 300$/,
  },
  {
    name: 'memory that cpu 256 does not allow',
    build: serviceWith({ cpu: 256, memoryLimitMiB: 4096 }),
    error: /^TestStack\/Web: memoryLimitMiB must be one of 512, 1024 or 2048 for cpu 256, got 4096$/,
  },
  {
    name: 'memory between the steps cpu 1024 allows',
    build: serviceWith({ cpu: 1024, memoryLimitMiB: 1536 }),
    error: /^TestStack\/Web: memoryLimitMiB must be from 2048 to 8192 in steps of 1024 for cpu 1024, got 1536$/,
  },
  {
    name: 'memory above what cpu 8192 allows',
    build: serviceWith({ cpu: 8192, memoryLimitMiB: 65536 }),
    error: /memoryLimitMiB must be from 16384 to 61440 in steps of 4096 for cpu 8192, got 65536/,
  },
  {
    name: 'ephemeral storage below 21 GiB',
    build: serviceWith({ ephemeralStorageGiB: 20 }),
    error: /^TestStack\/Web: ephemeralStorageGiB must be a whole number from 21 to 200, got 20$/,
  },
  {
    name: 'ephemeral storage above 200 GiB',
    build: serviceWith({ ephemeralStorageGiB: 201 }),
    error: /ephemeralStorageGiB must be a whole number from 21 to 200, got 201/,
  },
  // the container
  {
    name: 'no container port',
    build: serviceWith({ containerPorts: [] }),
    error: /^TestStack\/Web: containerPorts must name at least one port \(the first receives the load balancer's traffic\), got \[\]$/,
  },
  {
    name: 'a container port out of range',
    build: serviceWith({ containerPorts: [8000, 70000] }),
    error: /^TestStack\/Web: containerPorts\[1\] must be a whole number from 1 to 65535, got 70000$/,
  },
  {
    name: 'a container port twice',
    build: serviceWith({ containerPorts: [8000, 8000] }),
    error: /containerPorts must not name a port twice, got \[8000,8000\]/,
  },
  // the load balancer
  {
    name: 'listener port 0',
    build: serviceWith({ listenerPort: 0 }),
    error: /^TestStack\/Web: listenerPort must be a whole number from 1 to 65535, got 0$/,
  },
  {
    name: 'redirectHttp without a certificate',
    build: serviceWith({ redirectHttp: true }),
    error: /^TestStack\/Web: redirectHttp needs a certificate: without HTTPS there is nothing to redirect to, got true$/,
  },
  {
    name: 'HTTPS on port 80 while port 80 redirects',
    build: (stack) => serviceWith({ certificate: certificate(stack), listenerPort: 80 })(stack),
    error: /listenerPort must not be 80 while HTTP on port 80 redirects to HTTPS; use 443 or set redirectHttp to false, got 80/,
  },
  {
    name: 'an SSL policy without a certificate',
    build: serviceWith({ sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' as any }),
    error: /sslPolicy applies to HTTPS only: give a certificate too/,
  },
  {
    name: 'a domain name without a hosted zone',
    build: serviceWith({ domainName: 'web.example.com' }),
    error: /^TestStack\/Web: domainName needs both domainName and domainZone, got "web.example.com"$/,
  },
  {
    name: 'a hosted zone without a domain name',
    build: (stack) => serviceWith({ domainZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' }) })(stack),
    error: /domainZone needs both domainName and domainZone/,
  },
  {
    name: 'a health check path without a leading slash',
    build: serviceWith({ healthCheckPath: 'health' }),
    error: /^TestStack\/Web: healthCheckPath must start with "\/", got "health"$/,
  },
  {
    name: 'healthy codes separated by semicolons',
    build: serviceWith({ healthyHttpCodes: '200;401' }),
    error: /^TestStack\/Web: healthyHttpCodes must be HTTP codes from 200 to 499, comma-separated or as ranges, for example "200", "200,401" or "200-299", got "200;401"$/,
  },
  {
    name: 'a healthy code the load balancer does not accept',
    build: serviceWith({ healthyHttpCodes: '200,503' }),
    error: /healthyHttpCodes must be HTTP codes from 200 to 499.*got "200,503"/,
  },
  {
    name: 'a health check interval below 5 seconds',
    build: serviceWith({ healthCheckInterval: Duration.seconds(2) }),
    error: /^TestStack\/Web: healthCheckInterval \(seconds\) must be a whole number from 5 to 300, got 2$/,
  },
  {
    name: 'a deregistration delay above an hour',
    build: serviceWith({ deregistrationDelay: Duration.seconds(3601) }),
    error: /deregistrationDelay \(seconds\) must be a whole number from 0 to 3600, got 3601/,
  },
  {
    name: 'an access logs bucket with access logs off',
    build: (stack) => serviceWith({ accessLogs: false, accessLogsBucket: new s3.Bucket(stack, 'Logs') })(stack),
    error: /^TestStack\/Web: accessLogsBucket is given but accessLogs is false; drop one of them, got "TestStack\/Logs"$/,
  },
  {
    name: 'an idle timeout under a second',
    build: serviceWith({ idleTimeout: Duration.millis(500) }),
    error: /^TestStack\/Web: idleTimeout \(seconds\) must be a whole number from 1 to 4000, got 0.5$/,
  },
  {
    name: 'an idle timeout over 4,000 seconds',
    build: serviceWith({ idleTimeout: Duration.hours(2) }),
    error: /^TestStack\/Web: idleTimeout \(seconds\) must be a whole number from 1 to 4000, got 7200$/,
  },
  // where it runs
  {
    name: 'both vpc and vpcName',
    build: (stack) => serviceWith({ vpc: new ec2.Vpc(stack, 'Vpc'), vpcName: 'go-on-aws' })(stack),
    error: /^TestStack\/Web: vpc and vpcName must not be combined: set only one of cluster, vpc and vpcName \(a cluster brings its VPC\), got \["vpc","vpcName"\]$/,
  },
  {
    name: 'both cluster and vpc',
    build: (stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc');
      return serviceWith({ vpc, cluster: new ecs.Cluster(stack, 'Cluster', { vpc }) })(stack);
    },
    error: /cluster and vpc must not be combined/,
  },
  {
    name: 'vpcName in a stack without an env',
    build: serviceWith({ vpcName: 'go-on-aws' }),
    error: /^TestStack\/Web: vpcName needs a stack with a concrete env \(account and region\) to look the VPC up, but stack TestStack is environment-agnostic; set env on the stack, or pass vpc instead/,
  },
  {
    name: 'containerInsights for a cluster it does not create',
    build: (stack) => serviceWith({ containerInsights: true, cluster: new ecs.Cluster(stack, 'Cluster') })(stack),
    error: /^TestStack\/Web: containerInsights only applies to the cluster the construct creates; configure Container Insights on the cluster you pass, got true$/,
  },
  // the service
  {
    name: 'minHealthyPercent above 100',
    build: serviceWith({ minHealthyPercent: 101 }),
    error: /^TestStack\/Web: minHealthyPercent must be a whole number from 0 to 100, got 101$/,
  },
  {
    name: 'maxHealthyPercent below 100',
    build: serviceWith({ maxHealthyPercent: 99 }),
    error: /maxHealthyPercent must be a whole number from 100 to 400, got 99/,
  },
  {
    name: 'desiredCount 0',
    build: serviceWith({ desiredCount: 0 }),
    error: /^TestStack\/Web: desiredCount must be a whole number of at least 1, got 0$/,
  },
  {
    name: 'desiredCount above the scaling maximum',
    build: serviceWith({ desiredCount: 5, scaling: { maxCapacity: 4 } }),
    error: /^TestStack\/Web: desiredCount must be within scaling.minCapacity and scaling.maxCapacity \(1 to 4\), got 5$/,
  },
  {
    name: 'onDemandBaseTasks without Fargate Spot',
    build: serviceWith({ onDemandBaseTasks: 2 }),
    error: /^TestStack\/Web: onDemandBaseTasks only applies with fargateSpot: true, got 2$/,
  },
  {
    name: 'spotWeight 0',
    build: serviceWith({ fargateSpot: true, spotWeight: 0 }),
    error: /spotWeight must be a whole number from 1 to 1000, got 0/,
  },
  // scaling (shared by the services)
  {
    name: 'a negative minimum',
    build: serviceWith({ scaling: { minCapacity: -1 } }),
    error: /^TestStack\/Web: scaling.minCapacity must be a whole number of at least 0, got -1$/,
  },
  {
    name: 'a maximum of 0',
    build: serviceWith({ scaling: { maxCapacity: 0 } }),
    error: /scaling.maxCapacity must be a whole number of at least 1, got 0/,
  },
  {
    name: 'a maximum below the minimum',
    build: serviceWith({ scaling: { minCapacity: 5, maxCapacity: 3 } }),
    error: /^TestStack\/Web: scaling.maxCapacity must be at least scaling.minCapacity \(5\), got 3$/,
  },
  {
    name: 'a CPU target of 0',
    build: serviceWith({ scaling: { cpuTargetPercent: 0 } }),
    error: /scaling.cpuTargetPercent must be a whole number from 1 to 100, got 0/,
  },
  {
    name: 'a memory target above 100',
    build: serviceWith({ scaling: { memoryTargetPercent: 150 } }),
    error: /scaling.memoryTargetPercent must be a whole number from 1 to 100, got 150/,
  },
  {
    name: 'zero requests per target',
    build: serviceWith({ scaling: { requestsPerTarget: 0 } }),
    error: /scaling.requestsPerTarget must be a whole number of at least 1, got 0/,
  },
  {
    name: 'a schedule id that cannot be a construct id',
    build: serviceWith({ scaling: { schedules: [{ id: 'pre warm', schedule: daily, minCapacity: 2 }] } }),
    error: /^TestStack\/Web: scaling.schedules\[0\].id must start with a letter and contain only letters, digits and "-", got "pre warm"$/,
  },
  {
    name: 'two schedules with one id',
    build: serviceWith({ scaling: { schedules: [{ id: 'Rush', schedule: daily, minCapacity: 2 }, { id: 'Rush', schedule: daily, minCapacity: 1 }] } }),
    error: /^TestStack\/Web: scaling.schedules\[1\].id must be unique among the scaling.schedules, got "Rush"$/,
  },
  {
    name: 'a schedule that changes nothing',
    build: serviceWith({ scaling: { schedules: [{ id: 'Rush', schedule: daily }] } }),
    error: /^TestStack\/Web: scaling.schedules\[0\] must set minCapacity, maxCapacity or both \(from Python, write the items of the list as ScheduledCapacity\(\.\.\.\): jsii drops the keys of a dict inside a list\), got "Rush"$/,
  },
  {
    name: 'a schedule whose maximum is below its minimum',
    build: serviceWith({ scaling: { schedules: [{ id: 'Rush', schedule: daily, minCapacity: 6, maxCapacity: 3 }] } }),
    error: /scaling.schedules\[0\].maxCapacity must be at least scaling.schedules\[0\].minCapacity \(6\), got 3/,
  },
  {
    name: 'a schedule minimum above the scaling maximum',
    build: serviceWith({ scaling: { maxCapacity: 4, schedules: [{ id: 'Rush', schedule: daily, minCapacity: 10 }] } }),
    error: /^TestStack\/Web: scaling.schedules\[0\].minCapacity must not exceed scaling.maxCapacity \(4\) unless the schedule also sets maxCapacity, got 10$/,
  },
  // found by the props fuzz suite (test/props.fuzz.test.ts)
  {
    name: 'a health check path longer than 1,024 characters',
    build: serviceWith({ healthCheckPath: `/${'a'.repeat(1024)}` }),
    error: /^TestStack\/Web: healthCheckPath must be 1 to 1024 characters long \(the limit of Elastic Load Balancing\), got "\/a{39}\.\.\. \(1025 characters\)"$/,
  },
  {
    name: 'a listener port from a token with an HTTP redirect',
    build: (stack) => serviceWith({ certificate: certificate(stack), listenerPort: Lazy.number({ produce: () => 8443 }) })(stack),
    error: /^TestStack\/Web: listenerPort must be a literal number, because HTTP on port 80 redirects to it and aws-cdk-lib writes that redirect at synth time \(or set redirectHttp to false\), got "\$\{Token\[TOKEN\.\d+\]\}"$/,
  },
  {
    name: 'an idle timeout from a token',
    build: serviceWith({ idleTimeout: Duration.seconds(Lazy.number({ produce: () => 60 })) }),
    error: /^TestStack\/Web: idleTimeout must be a literal duration, because aws-cdk-lib checks it at synth time, got "a duration from a token"$/,
  },
  {
    name: 'a sub-second scale-out cooldown',
    build: serviceWith({ scaling: { scaleOutCooldown: Duration.millis(1500) } }),
    error: /^TestStack\/Web: scaling.scaleOutCooldown \(seconds\) must be a whole number of at least 0, got 1.5$/,
  },
  {
    name: 'a scale-in cooldown of NaN seconds',
    build: serviceWith({ scaling: { scaleInCooldown: Duration.seconds(NaN) } }),
    error: /^TestStack\/Web: scaling.scaleInCooldown \(seconds\) must be a whole number of at least 0, got NaN$/,
  },
  {
    name: 'an empty container name',
    build: serviceWith({ containerName: '' }),
    error: /^TestStack\/Web: containerName must be 1 to 255 letters, digits, "_" or "-" \(an ECS name\), got ""$/,
  },
  {
    name: 'a container name with a space',
    build: serviceWith({ containerName: 'my app' }),
    error: /^TestStack\/Web: containerName must be 1 to 255 letters, digits, "_" or "-" \(an ECS name\), got "my app"$/,
  },
  {
    name: 'a task family with a space',
    build: serviceWith({ family: 'my app' }),
    error: /^TestStack\/Web: family must be 1 to 255 letters, digits, "_" or "-" \(an ECS name\), got "my app"$/,
  },
  {
    name: 'a service name longer than ECS allows',
    build: serviceWith({ serviceName: 's'.repeat(256) }),
    error: /^TestStack\/Web: serviceName must be 1 to 255 letters, digits, "_" or "-" \(an ECS name\), got "s{256}"$/,
  },
  {
    name: 'a sub-second health check interval',
    build: serviceWith({ healthCheckInterval: Duration.millis(1500) }),
    error: /^TestStack\/Web: healthCheckInterval \(seconds\) must be a whole number from 5 to 300, got 1.5$/,
  },
  {
    name: 'a health check interval from a token',
    build: serviceWith({ healthCheckInterval: Duration.seconds(Lazy.number({ produce: () => 10 })) }),
    error: /^TestStack\/Web: healthCheckInterval must be a literal duration, because the health check timeout is computed from it, got "a duration from a token"$/,
  },
  {
    name: 'a half-second health check grace period',
    build: serviceWith({ healthCheckGracePeriod: Duration.millis(500) }),
    error: /^TestStack\/Web: healthCheckGracePeriod \(seconds\) must be a whole number from 0 to 2147483647, got 0.5$/,
  },
  {
    name: 'a deregistration delay of NaN seconds',
    build: serviceWith({ deregistrationDelay: Duration.seconds(NaN) }),
    error: /^TestStack\/Web: deregistrationDelay \(seconds\) must be a whole number from 0 to 3600, got NaN$/,
  },
  {
    name: 'an access logs bucket with a KMS key',
    build: (stack) => serviceWith({ accessLogsBucket: new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.KMS }) })(stack),
    error: /^TestStack\/Web: accessLogsBucket must be encrypted with SSE-S3 \(s3.BucketEncryption.S3_MANAGED\): Elastic Load Balancing cannot write access logs to a bucket with a KMS key, got "TestStack\/Logs"$/,
  },
  {
    // the VPC it creates has public and isolated subnets, no NAT gateway
    name: 'task subnets the VPC does not have',
    build: serviceWith({ taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }),
    error: /^TestStack\/Web: taskSubnets must select subnets the VPC has: .*Private.*, got \{"subnetType":"Private"\}$/,
  },
  {
    name: 'a container health check with 11 retries',
    build: serviceWith({ containerHealthCheck: { command: ['CMD-SHELL', 'exit 0'], retries: 11 } }),
    error: /^TestStack\/Web: containerHealthCheck.retries must be a whole number from 1 to 10, got 11$/,
  },
  {
    name: 'a container health check timeout of 1 second',
    build: serviceWith({ containerHealthCheck: { command: ['CMD-SHELL', 'exit 0'], timeout: Duration.seconds(1) } }),
    error: /^TestStack\/Web: containerHealthCheck.timeout \(seconds\) must be a whole number from 2 to 120, got 1$/,
  },
  {
    name: 'a container health check interval from a token',
    build: serviceWith({ containerHealthCheck: { command: ['CMD-SHELL', 'exit 0'], interval: Duration.seconds(Lazy.number({ produce: () => 30 })) } }),
    error: /^TestStack\/Web: containerHealthCheck.interval must be a literal duration, because aws-cdk-lib checks the health check at synth time, got "a duration from a token"$/,
  },
  {
    name: 'container health check retries from a token',
    build: serviceWith({ containerHealthCheck: { command: ['CMD-SHELL', 'exit 0'], retries: Lazy.number({ produce: () => 3 }) } }),
    error: /^TestStack\/Web: containerHealthCheck.retries must be a literal number, because aws-cdk-lib checks the health check at synth time/,
  },
  {
    name: 'a container health check without a command',
    build: serviceWith({ containerHealthCheck: { command: [] } }),
    error: /^TestStack\/Web: containerHealthCheck.command must not be empty, .*got \[\]$/,
  },
  {
    name: 'a log retention CloudWatch Logs does not offer',
    build: serviceWith({ logRetention: 0 as logs.RetentionDays }),
    error: /^TestStack\/Web: logRetention must be one of logs.RetentionDays .*, got 0$/,
  },
  {
    name: 'a CPU target from a token with fast scale-out',
    build: (stack) => serviceWith({ scaling: { cpuTargetPercent: new CfnParameter(stack, 'Cpu', { type: 'Number' }).valueAsNumber } })(stack),
    error: /^TestStack\/Web: scaling.cpuTargetPercent must be a literal number, because the thresholds of the fast scale-out steps are computed from it \(or set scaling.fastScaleOut to false\)/,
  },
  {
    name: 'a requests target from a token with fast scale-out',
    build: (stack) => serviceWith({ scaling: { requestsPerTarget: new CfnParameter(stack, 'Requests', { type: 'Number' }).valueAsNumber } })(stack),
    error: /^TestStack\/Web: scaling.requestsPerTarget must be a literal number, because the thresholds of the fast scale-out steps are computed from it/,
  },
  {
    name: 'an internal load balancer in a VPC imported without its address range',
    build: (stack) => serviceWith({
      publicLoadBalancer: false,
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        privateSubnetIds: ['subnet-0a', 'subnet-0b'],
      }),
    })(stack),
    error: /^TestStack\/Web: vpc must know its address range \(vpcCidrBlock\): an internal load balancer admits the VPC's address range on its listener ports\. Import the VPC with vpcCidrBlock, or with SsmDecoupledVpc\.fromParameters, got "TestStack\/Imported"$/,
  },
  {
    name: 'a construct id that security group descriptions refuse',
    build: (stack) => new LoadBalancedScalingService(stack, 'Wëb', { image: IMAGE }),
    error: /^TestStack\/Wëb: id may only contain letters a-z and A-Z, digits, spaces and .*\(the construct path becomes part of EC2 security group descriptions, which allow nothing else\), got "Wëb"$/,
  },
  {
    name: 'an empty vpcName',
    build: serviceWith({ vpcName: '' }),
    error: /^TestStack\/Web: vpcName must be 1 to 256 characters long \(the Name tag of an existing VPC\), got ""$/,
  },
  {
    name: 'a maximum healthy percent that leaves no room above the minimum',
    build: serviceWith({ maxHealthyPercent: 100 }),
    error: /^TestStack\/Web: maxHealthyPercent must be greater than minHealthyPercent \(100\), or a deployment cannot replace any task, got 100$/,
  },
  {
    name: 'environment variables larger than a task definition may be',
    build: serviceWith({ environment: { CONFIG: 'x'.repeat(50000) } }),
    error: /^TestStack\/Web: environment may hold at most 49152 characters \(names and values\), because ECS accepts task definitions of at most 64 KiB; put large content in S3 or SSM instead, got "50006 characters"$/,
  },
];


const etlWith = (props: Partial<ScheduledFargateEtlProps>) => (stack: Stack) =>
  new ScheduledFargateEtl(stack, 'Etl', { schedule: MONTHLY, image: IMAGE, ...props });

const scheduledFargateEtl: BadInput[] = [
  {
    name: 'a job image asset and a MySQL sidecar image asset built for different architectures',
    build: etlWith({ image: assetImage(ARM), mysqlSidecar: { databaseName: 'db', image: assetImage(AMD) } }),
    error: /^TestStack\/Etl: mysqlSidecar\.image must be built for the task's architecture, linux\/arm64 \(from image\).*got "an image asset built for linux\/amd64"$/,
  },
  {
    name: 'Fargate Spot for a job on ARM64',
    build: etlWith({ fargateSpot: true, cpuArchitecture: ecs.CpuArchitecture.ARM64 }),
    error: /^TestStack\/Etl: fargateSpot needs a task on X86_64, because Fargate Spot runs x86 Linux tasks only; the task runs on ARM64 \(from cpuArchitecture\), got true$/,
  },
  {
    name: 'vpcName in a stack without an env',
    build: etlWith({ vpcName: 'data-platform' }),
    error: /^TestStack\/Etl: vpcName needs a stack with a concrete env \(account and region\) to look the VPC up/,
  },
  {
    name: 'both vpcName and cluster',
    build: (stack) => etlWith({ vpcName: 'data-platform', cluster: new ecs.Cluster(stack, 'Cluster') })(stack),
    error: /^TestStack\/Etl: cluster and vpcName must not be combined/,
  },
  {
    name: 'no schedule',
    build: etlWith({ schedule: undefined as any }),
    error: /^TestStack\/Etl: schedule is required: when should the job run\?, got undefined$/,
  },
  {
    name: 'a schedule without a job to run',
    build: etlWith({ image: undefined as any }),
    error: /^TestStack\/Etl: image is required: a schedule without a job to run starts nothing, got undefined$/,
  },
  {
    name: 'a time zone for a rate schedule',
    build: etlWith({ schedule: events.Schedule.rate(Duration.hours(1)), timeZone: TimeZone.EUROPE_BERLIN }),
    error: /^TestStack\/Etl: timeZone only applies to cron schedules; rate\(1 hour\) runs at fixed intervals in every time zone, got "Europe\/Berlin"$/,
  },
  {
    name: 'memory cpu 1024 does not allow',
    build: etlWith({ cpu: 1024, memoryLimitMiB: 1024 }),
    error: /^TestStack\/Etl: memoryLimitMiB must be from 2048 to 8192 in steps of 1024 for cpu 1024, got 1024$/,
  },
  {
    name: 'ephemeral storage of 10 GiB',
    build: etlWith({ ephemeralStorageGiB: 10 }),
    error: /^TestStack\/Etl: ephemeralStorageGiB must be a whole number from 21 to 200, got 10$/,
  },
  {
    name: 'no task per run',
    build: etlWith({ desiredTaskCount: 0 }),
    error: /^TestStack\/Etl: desiredTaskCount must be a whole number from 1 to 10, got 0$/,
  },
  {
    name: 'more tasks per run than a schedule can start',
    build: etlWith({ desiredTaskCount: 11 }),
    error: /desiredTaskCount must be a whole number from 1 to 10, got 11/,
  },
  {
    name: 'more retries than EventBridge allows',
    build: etlWith({ retryAttempts: 186 }),
    error: /^TestStack\/Etl: retryAttempts must be a whole number from 0 to 185, got 186$/,
  },
  {
    name: 'a maximum event age below a minute',
    build: etlWith({ maxEventAge: Duration.seconds(30) }),
    error: /^TestStack\/Etl: maxEventAge \(seconds\) must be a whole number from 60 to 86400, got 30$/,
  },
  {
    name: 'a maximum event age above a day',
    build: etlWith({ maxEventAge: Duration.hours(25) }),
    error: /maxEventAge \(seconds\) must be a whole number from 60 to 86400, got 90000/,
  },
  {
    name: 'a maximum runtime from a token',
    build: (stack) => etlWith({ maxRuntime: Duration.seconds(new CfnParameter(stack, 'Runtime', { type: 'Number' }).valueAsNumber) })(stack),
    error: /^TestStack\/Etl: maxRuntime must be a literal duration, because the state machine definition is written at synth time, got "a duration from a token"$/,
  },
  {
    name: 'a maximum runtime below a minute',
    build: etlWith({ maxRuntime: Duration.seconds(59) }),
    error: /^TestStack\/Etl: maxRuntime \(seconds\) must be a whole number from 60 to 31532400, got 59$/,
  },
  {
    name: 'a maximum runtime a Standard execution cannot last (a year, less the hour kept for the report)',
    build: etlWith({ maxRuntime: Duration.days(365) }),
    error: /^TestStack\/Etl: maxRuntime \(seconds\) must be a whole number from 60 to 31532400, got 31536000$/,
  },
  {
    name: 'a maximum runtime that is not a whole number of seconds (Step Functions takes TimeoutSeconds as an integer)',
    build: etlWith({ maxRuntime: Duration.millis(90500) }),
    error: /^TestStack\/Etl: maxRuntime \(seconds\) must be a whole number from 60 to 31532400, got 90.5$/,
  },
  {
    name: 'both vpc and cluster',
    build: (stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc');
      return etlWith({ vpc, cluster: new ecs.Cluster(stack, 'Cluster', { vpc }) })(stack);
    },
    error: /^TestStack\/Etl: cluster and vpc must not be combined/,
  },
  {
    name: 'containerInsights for a cluster it does not create',
    build: (stack) => etlWith({ containerInsights: false, cluster: new ecs.Cluster(stack, 'Cluster') })(stack),
    error: /^TestStack\/Etl: containerInsights only applies to the cluster the construct creates/,
  },
  {
    name: 'notification emails for a topic it does not create',
    build: (stack) => etlWith({ notificationEmails: ['ops@example.com'], failureTopic: new sns.Topic(stack, 'Topic') })(stack),
    error: /^TestStack\/Etl: notificationEmails only subscribe to the topic the construct creates; subscribe them to the failureTopic you pass, got \["ops@example.com"\]$/,
  },
  {
    name: 'a schedule expression that is none of the forms',
    build: etlWith({ schedule: events.Schedule.expression('garbage') }),
    error: /^TestStack\/Etl: schedule must be rate\(<value> <unit>\) \(a whole value of at least 1; minute, hour or day, plural above 1\) or cron\(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>\) \(six fields, "\?" in day-of-month or in day-of-week\): this is none of them, got "garbage"$/,
  },
  {
    name: 'a rate of 0',
    build: etlWith({ schedule: events.Schedule.expression('rate(0 minutes)') }),
    error: /^TestStack\/Etl: schedule must be rate\(<value> <unit>\).*: the value 0 is below 1, got "rate\(0 minutes\)"$/,
  },
  {
    name: 'a rate of 1 with a plural unit',
    build: etlWith({ schedule: events.Schedule.expression('rate(1 hours)') }),
    error: /schedule must be rate.*: a value of 1 takes the singular unit hour, got "rate\(1 hours\)"/,
  },
  {
    name: 'a rate in seconds',
    build: etlWith({ schedule: events.Schedule.expression('rate(30 seconds)') }),
    error: /schedule must be rate.*: "30 seconds" is not a whole number and a unit \(minute\(s\), hour\(s\), day\(s\)\) separated by one space, got "rate\(30 seconds\)"/,
  },
  {
    name: 'a Unix cron of five fields',
    build: etlWith({ schedule: events.Schedule.expression('cron(0 4 1 * *)') }),
    error: /^TestStack\/Etl: schedule must be .* or cron\(.*\): 5 fields separated by single spaces, AWS needs 6 \(a 5-field Unix cron lacks the year\), got "cron\(0 4 1 \* \*\)"$/,
  },
  {
    name: 'a cron with both a day of the month and a day of the week',
    build: etlWith({ schedule: events.Schedule.expression('cron(0 4 1 * MON *)') }),
    error: /schedule must be .*: day-of-month "1" and day-of-week "MON": exactly one of them must be "\?", got "cron\(0 4 1 \* MON \*\)"/,
  },
  {
    name: 'a cron at minute 60',
    build: etlWith({ schedule: events.Schedule.expression('cron(60 4 * * ? *)') }),
    error: /schedule must be .*: the minutes field "60" holds 60, outside 0-59, got "cron\(60 4 \* \* \? \*\)"/,
  },
  {
    name: 'a one-time at() schedule, which an EventBridge rule cannot run',
    build: etlWith({ schedule: events.Schedule.expression('at(2030-01-01T04:00:00)') }),
    error: /schedule must be .*: at\(\.\.\.\) is not accepted here, got "at\(2030-01-01T04:00:00\)"/,
  },
  {
    name: 'an environment variable that contradicts the bucket',
    build: (stack) => etlWith({ bucket: new s3.Bucket(stack, 'Data'), environment: { BUCKET_NAME: 'other' } })(stack),
    error: /^TestStack\/Etl: environment BUCKET_NAME contradicts bucket \(its name\), from which the construct sets BUCKET_NAME; remove BUCKET_NAME from environment, or give both the same value, got "other"$/,
  },
  {
    name: 'a DB_DATABASE that contradicts the sidecar\'s database',
    build: etlWith({ environment: { DB_DATABASE: 'reporting' }, mysqlSidecar: { databaseName: 'my_database' } }),
    error: /^TestStack\/Etl: environment DB_DATABASE contradicts mysqlSidecar.databaseName "my_database", from which the construct sets DB_DATABASE; remove DB_DATABASE from environment, or give both the same value, got "reporting"$/,
  },
  {
    name: 'a DB_USER that contradicts the sidecar\'s default user',
    build: etlWith({ environment: { DB_USER: 'loader' }, mysqlSidecar: { databaseName: 'db' } }),
    error: /environment DB_USER contradicts mysqlSidecar.username "etl", from which the construct sets DB_USER.*got "loader"/,
  },
  {
    name: 'the sidecar\'s password as a plain environment variable',
    build: etlWith({ environment: { DB_PASSWORD: 'secret' }, mysqlSidecar: { databaseName: 'db' } }),
    error: /^TestStack\/Etl: environment DB_PASSWORD is the secret the construct sets from mysqlSidecar \(a generated secret\); remove DB_PASSWORD from environment, got "secret"$/,
  },
  {
    name: 'a secret the MySQL sidecar sets',
    build: (stack) => etlWith({
      mysqlSidecar: { databaseName: 'db' },
      secrets: { DB_PASSWORD: ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'P', { parameterName: '/p' })) },
    })(stack),
    error: /^TestStack\/Etl: secrets DB_PASSWORD is set by the construct from mysqlSidecar \(a generated secret\); remove it from secrets or rename it, got "DB_PASSWORD"$/,
  },
  {
    name: 'a database name with a dash',
    build: etlWith({ mysqlSidecar: { databaseName: 'my-database' } }),
    error: /^TestStack\/Etl: mysqlSidecar.databaseName must be 1 to 64 letters, digits, "_" or "\$", and not only digits \(a MySQL database name without quoting\), got "my-database"$/,
  },
  {
    name: 'a database name of digits only',
    build: etlWith({ mysqlSidecar: { databaseName: '2024' } }),
    error: /mysqlSidecar.databaseName must be 1 to 64 letters.*got "2024"/,
  },
  {
    name: 'a database name longer than 64 characters',
    build: etlWith({ mysqlSidecar: { databaseName: 'd'.repeat(65) } }),
    error: /mysqlSidecar.databaseName must be 1 to 64 letters/,
  },
  {
    name: 'root as the MySQL user',
    build: etlWith({ mysqlSidecar: { databaseName: 'db', username: 'root' } }),
    error: /^TestStack\/Etl: mysqlSidecar.username must be 1 to 32 letters, digits or "_", and not root, got "root"$/,
  },
  {
    name: 'a MySQL user with a dash',
    build: etlWith({ mysqlSidecar: { databaseName: 'db', username: 'etl-user' } }),
    error: /mysqlSidecar.username must be 1 to 32 letters, digits or "_", and not root, got "etl-user"/,
  },
  // found by the props fuzz suite (test/props.fuzz.test.ts)
  {
    name: 'a half-second maximum event age',
    build: etlWith({ maxEventAge: Duration.millis(500) }),
    error: /^TestStack\/Etl: maxEventAge \(seconds\) must be a whole number from 60 to 86400, got 0.5$/,
  },
  {
    name: 'retry attempts from a token',
    build: etlWith({ timeZone: TimeZone.ETC_UTC, retryAttempts: Lazy.number({ produce: () => 0 }) }),
    error: /^TestStack\/Etl: retryAttempts must be a literal number, because the EventBridge targets check it at synth time, got "\$\{Token\[TOKEN\.\d+\]\}"$/,
  },
  {
    name: 'a maximum event age from a token',
    build: etlWith({ timeZone: TimeZone.ETC_UTC, maxEventAge: Duration.seconds(Lazy.number({ produce: () => 60 })) }),
    error: /^TestStack\/Etl: maxEventAge must be a literal duration, because the EventBridge targets check it at synth time, got "a duration from a token"$/,
  },
  {
    name: 'an empty notification email',
    build: etlWith({ notificationEmails: [''] }),
    error: /^TestStack\/Etl: notificationEmails\[0\] must be an email address \(name@example.com\), got ""$/,
  },
  {
    name: 'a notification email with a space',
    build: etlWith({ notificationEmails: ['ops@example.com', 'ops team@example.com'] }),
    error: /^TestStack\/Etl: notificationEmails\[1\] must be an email address \(name@example.com\), got "ops team@example.com"$/,
  },
  {
    name: 'a VPC without the private subnets the job runs in by default',
    build: (stack) => etlWith({ vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] }) })(stack),
    error: /^TestStack\/Etl: vpc must have the subnets the tasks run in by default \(or set subnetSelection\): .*Private.*, got \{"subnetType":"Private"\}$/,
  },
  {
    name: 'a subnet selection the VPC does not have',
    build: etlWith({ subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
    error: /^TestStack\/Etl: subnetSelection must select subnets the VPC has: .*Isolated.*, got \{"subnetType":"Isolated"\}$/,
  },
  {
    name: 'a construct id with a character security group descriptions refuse',
    build: (stack) => new ScheduledFargateEtl(stack, 'Etl ✓', { schedule: MONTHLY, image: IMAGE }),
    error: /^TestStack\/Etl ✓: id may only contain letters a-z and A-Z, digits, spaces and /,
  },
  {
    name: 'a scope around the construct whose id security group descriptions refuse',
    build: (stack) => new ScheduledFargateEtl(new Construct(stack, 'Tëam'), 'Etl', { schedule: MONTHLY, image: IMAGE }),
    error: /^TestStack\/Tëam\/Etl: id may only contain letters a-z and A-Z, digits, spaces and .* \(the id of TestStack\/Tëam, a scope around it\) \(the construct path becomes part of EC2 security group descriptions, which allow nothing else\), got "Tëam"$/,
  },
];

const siteWith = (props: Partial<WordpressFargateSiteProps>) => (stack: Stack) =>
  new WordpressFargateSite(stack, 'Blog', props);
const sharedAlb = (stack: Stack) => new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: new ec2.Vpc(stack, 'Vpc'), internetFacing: true });

const wordpressFargateSite: BadInput[] = [
  {
    name: 'a WordPress image asset built for linux/arm64 beside an nginx image that does not say, without cpuArchitecture',
    build: siteWith({ nginxImage: IMAGE, wordpressImage: assetImage(ARM) }),
    error: /^TestStack\/Blog: cpuArchitecture must be given when wordpressImage is an image asset built for linux\/arm64 and nginxImage is an image that does not say what it is built for: ARM64 if nginxImage is built for it too \(a multi-arch image is\), else build wordpressImage for the platform of nginxImage, got undefined$/,
  },
  {
    name: 'an nginx image asset and a WordPress image asset built for different architectures',
    build: siteWith({ nginxImage: assetImage(AMD), wordpressImage: assetImage(ARM) }),
    error: /^TestStack\/Blog: wordpressImage must be built for the task's architecture, linux\/amd64 \(from nginxImage\): .*; build wordpressImage and nginxImage for the same platform, got "an image asset built for linux\/arm64"$/,
  },
  // the site
  {
    name: 'an upload limit that is not whole MiB',
    build: siteWith({ uploadMaxSize: Size.kibibytes(1536) }),
    error: /^TestStack\/Blog: uploadMaxSize must be a whole number of MiB from 1 MiB to 4 GiB \(for example Size.mebibytes\(64\)\), got "1.5 MiB"$/,
  },
  {
    name: 'an upload limit of 0',
    build: siteWith({ uploadMaxSize: Size.mebibytes(0) }),
    error: /uploadMaxSize must be a whole number of MiB from 1 MiB to 4 GiB .*got "0 MiB"/,
  },
  {
    name: 'an upload limit above 4 GiB',
    build: siteWith({ uploadMaxSize: Size.gibibytes(5) }),
    error: /uploadMaxSize must be a whole number of MiB from 1 MiB to 4 GiB .*got "5120 MiB"/,
  },
  {
    name: 'a table prefix with a dash',
    build: siteWith({ tablePrefix: 'wp-' }),
    error: /^TestStack\/Blog: tablePrefix must be 1 to 20 letters, digits or "_" \(WordPress uses it in table names\), got "wp-"$/,
  },
  {
    name: 'an empty table prefix',
    build: siteWith({ tablePrefix: '' }),
    error: /tablePrefix must be 1 to 20 letters, digits or "_".*got ""/,
  },
  // the database
  {
    name: 'a database minimum below 0',
    build: siteWith({ database: { minCapacity: -1 } }),
    error: /^TestStack\/Blog: database.minCapacity must be from 0 to 256 Aurora capacity units in steps of 0.5, got -1$/,
  },
  {
    name: 'a database minimum not in steps of 0.5',
    build: siteWith({ database: { minCapacity: 0.75 } }),
    error: /database.minCapacity must be from 0 to 256 Aurora capacity units in steps of 0.5, got 0.75/,
  },
  {
    name: 'a database maximum below 1',
    build: siteWith({ database: { maxCapacity: 0.5 } }),
    error: /^TestStack\/Blog: database.maxCapacity must be from 1 to 256 Aurora capacity units in steps of 0.5, got 0.5$/,
  },
  {
    name: 'a database maximum above 256',
    build: siteWith({ database: { maxCapacity: 512 } }),
    error: /database.maxCapacity must be from 1 to 256 .*got 512/,
  },
  {
    name: 'a database maximum below its minimum',
    build: siteWith({ database: { minCapacity: 8, maxCapacity: 4 } }),
    error: /^TestStack\/Blog: database.maxCapacity must be at least database.minCapacity \(8\), got 4$/,
  },
  {
    name: 'an auto-pause below 5 minutes',
    build: siteWith({ database: { autoPauseAfter: Duration.minutes(1) } }),
    error: /^TestStack\/Blog: database.autoPauseAfter \(seconds\) must be a whole number from 300 to 86400, got 60$/,
  },
  {
    name: 'an auto-pause above a day',
    build: siteWith({ database: { autoPauseAfter: Duration.hours(25) } }),
    error: /database.autoPauseAfter \(seconds\) must be a whole number from 300 to 86400, got 90000/,
  },
  {
    name: 'an auto-pause for a database that cannot pause',
    build: siteWith({ database: { minCapacity: 1, autoPauseAfter: Duration.minutes(10) } }),
    error: /^TestStack\/Blog: database.autoPauseAfter only applies with database.minCapacity 0 \(a database with a higher floor never pauses\), got "10 minutes"$/,
  },
  {
    name: 'no backups',
    build: siteWith({ database: { backupRetention: Duration.days(0) } }),
    error: /^TestStack\/Blog: database.backupRetention \(days\) must be a whole number from 1 to 35, got 0$/,
  },
  {
    name: 'backups kept longer than 35 days',
    build: siteWith({ database: { backupRetention: Duration.days(36) } }),
    error: /database.backupRetention \(days\) must be a whole number from 1 to 35, got 36/,
  },
  {
    name: 'backups kept for part of a day',
    build: siteWith({ database: { backupRetention: Duration.hours(36) } }),
    error: /database.backupRetention \(days\) must be a whole number from 1 to 35, got 1.5/,
  },
  {
    name: 'DESTROY with deletion protection on',
    build: siteWith({ removalPolicy: RemovalPolicy.DESTROY }),
    error: /^TestStack\/Blog: removalPolicy cannot delete a database with deletion protection; also set database.deletionProtection to false, got "DESTROY"$/,
  },
  {
    name: 'a database schedule id with a space',
    build: siteWith({ databaseSchedules: [{ id: 'warm up', schedule: daily, minCapacity: 2 }] }),
    error: /^TestStack\/Blog: databaseSchedules\[0\].id must start with a letter and contain only letters, digits and "-", got "warm up"$/,
  },
  {
    name: 'two database schedules with one id',
    build: siteWith({ databaseSchedules: [{ id: 'Rush', schedule: daily, minCapacity: 2 }, { id: 'Rush', schedule: daily, minCapacity: 0 }] }),
    error: /^TestStack\/Blog: databaseSchedules\[1\].id must be unique among the databaseSchedules, got "Rush"$/,
  },
  {
    name: 'a database schedule minimum not in steps of 0.5',
    build: siteWith({ databaseSchedules: [{ id: 'Rush', schedule: daily, minCapacity: 1.2 }] }),
    error: /^TestStack\/Blog: databaseSchedules\[0\].minCapacity must be from 0 to 256 Aurora capacity units in steps of 0.5, got 1.2$/,
  },
  {
    name: 'a database schedule maximum of 0',
    build: siteWith({ databaseSchedules: [{ id: 'Rush', schedule: daily, minCapacity: 0, maxCapacity: 0 }] }),
    error: /^TestStack\/Blog: databaseSchedules\[0\].maxCapacity must be from 1 to 256 Aurora capacity units in steps of 0.5, got 0$/,
  },
  {
    name: 'a database schedule minimum above the database maximum',
    build: siteWith({ databaseSchedules: [{ id: 'Rush', schedule: daily, minCapacity: 12 }] }),
    error: /^TestStack\/Blog: databaseSchedules\[0\].minCapacity must not exceed the maximum of that window \(8 ACUs\); raise its maxCapacity, got 12$/,
  },
  {
    name: 'a database schedule minimum above its own maximum',
    build: siteWith({ databaseSchedules: [{ id: 'Rush', schedule: daily, minCapacity: 8, maxCapacity: 6 }] }),
    error: /databaseSchedules\[0\].minCapacity must not exceed the maximum of that window \(6 ACUs\)/,
  },
  // the load balancer given
  {
    name: 'publicLoadBalancer with a load balancer given',
    build: (stack) => siteWith({ loadBalancer: sharedAlb(stack), publicLoadBalancer: false })(stack),
    error: /^TestStack\/Blog: publicLoadBalancer only applies to the load balancer the construct creates, not to the loadBalancer given, got false$/,
  },
  {
    name: 'accessLogs with a load balancer given',
    build: (stack) => siteWith({ loadBalancer: sharedAlb(stack), accessLogs: true })(stack),
    error: /^TestStack\/Blog: accessLogs only applies to the load balancer the construct creates; configure access logs on the loadBalancer given, got true$/,
  },
  {
    name: 'idleTimeout with a load balancer given',
    build: (stack) => siteWith({ loadBalancer: sharedAlb(stack), idleTimeout: Duration.minutes(15) })(stack),
    error: /^TestStack\/Blog: idleTimeout only applies to the load balancer the construct creates; set it on the loadBalancer given, got "15 minutes"$/,
  },
  // schedule expressions of the windows (Application Auto Scaling and EventBridge Scheduler)
  {
    name: 'a task window with a five-field cron expression',
    build: siteWith({ scaling: { schedules: [{ id: 'Rush', schedule: appscaling.Schedule.expression('cron(45 8 * * MON)'), minCapacity: 4 }] } }),
    error: /^TestStack\/Blog: scaling\.schedules\[0\]\.schedule must be .*got "cron\(45 8 \* \* MON\)"$/,
  },
  {
    name: 'a database window at a rate of zero',
    build: siteWith({ databaseSchedules: [{ id: 'Rush', schedule: appscaling.Schedule.expression('rate(0 minutes)'), minCapacity: 2 }] }),
    error: /^TestStack\/Blog: databaseSchedules\[0\]\.schedule .*got "rate\(0 minutes\)"$/,
  },
  // the page cache
  {
    name: 'a page cache TTL of a fraction of a second',
    build: siteWith({ pageCacheTtl: Duration.millis(2500) }),
    error: /^TestStack\/Blog: pageCacheTtl \(seconds\) must be a whole number from 0 to 3600, got 2.5$/,
  },
  {
    name: 'a page cache TTL over an hour',
    build: siteWith({ pageCacheTtl: Duration.hours(2) }),
    error: /^TestStack\/Blog: pageCacheTtl \(seconds\) must be a whole number from 0 to 3600, got 7200$/,
  },
  {
    name: 'a VPC imported without its address range',
    build: (stack) => siteWith({
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        privateSubnetIds: ['subnet-0a', 'subnet-0b'],
        publicSubnetIds: ['subnet-0c', 'subnet-0d'],
      }),
    })(stack),
    error: /^TestStack\/Blog: vpc must know its address range \(vpcCidrBlock\): nginx believes the visitor's address only from proxies in it\. .*got "TestStack\/Imported"$/,
  },
  // the CDN
  {
    name: 'a CDN in front of a load balancer given',
    build: (stack) => siteWith({ cdn: true, loadBalancer: sharedAlb(stack) })(stack),
    error: /^TestStack\/Blog: loadBalancer CloudFront reaches a load balancer the construct creates, internal, through a VPC origin; drop loadBalancer or cdn, got "TestStack\/Alb"$/,
  },
  {
    name: 'a CDN in front of a public load balancer',
    build: siteWith({ cdn: true, publicLoadBalancer: true }),
    error: /^TestStack\/Blog: publicLoadBalancer is always false with cdn: CloudFront reaches the internal load balancer through a VPC origin, nobody else may, got true$/,
  },
  {
    name: 'an HTTP redirect on the load balancer behind a CDN',
    build: siteWith({ cdn: true, redirectHttp: true }),
    error: /^TestStack\/Blog: redirectHttp does not apply with cdn: CloudFront redirects HTTP to HTTPS, got true$/,
  },
  {
    name: 'a TLS policy on the load balancer behind a CDN',
    build: siteWith({ cdn: true, sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS }),
    error: /^TestStack\/Blog: sslPolicy does not apply with cdn: CloudFront ends TLS/,
  },
  {
    name: 'a domain on the CDN without a certificate',
    build: siteWith({ cdn: true, domainName: 'register.example.com' }),
    error: /^TestStack\/Blog: domainName needs a certificate for it in us-east-1 with cdn \(CloudFront serves the domain\), got "register.example.com"$/,
  },
  // the firewall
  {
    name: 'a firewall rate limit under 10',
    build: siteWith({ firewall: { rateLimit: 5 } }),
    error: /^TestStack\/Blog: firewall.rateLimit must be a whole number from 10 to 2000000000, got 5$/,
  },
  {
    name: 'a firewall rate limit window AWS WAF does not count over',
    build: siteWith({ firewall: { rateLimitWindow: Duration.minutes(3) } }),
    error: /^TestStack\/Blog: firewall.rateLimitWindow must be 1, 2, 5 or 10 minutes \(what AWS WAF rate-based rules count over\), got "3 minutes"$/,
  },
  {
    name: 'no path to rate-limit',
    build: siteWith({ firewall: { rateLimitedPaths: [] } }),
    error: /^TestStack\/Blog: firewall.rateLimitedPaths must name at least 1 path, got \[\]$/,
  },
  {
    name: 'five paths to rate-limit, one more than the web ACL\'s base capacity holds',
    build: siteWith({ firewall: { rateLimitedPaths: Array.from({ length: 5 }, (_, i) => `/form-${i}`) } }),
    error: /^TestStack\/Blog: firewall.rateLimitedPaths names too many paths: the web ACL would need 1507 capacity units, more than the 1500 its base price includes \(each path costs 22\); name at most 4, got \["\/form-0",/,
  },
  {
    name: 'a rate-limited path without a leading slash',
    build: siteWith({ firewall: { rateLimitedPaths: ['/wp-login.php', 'register'] } }),
    error: /^TestStack\/Blog: firewall.rateLimitedPaths\[1\] must start with "\/" and have at most 200 visible ASCII characters, no spaces \(a URL path\), got "register"$/,
  },
  {
    name: 'a firewall on a load balancer given',
    build: (stack) => siteWith({ firewall: {}, loadBalancer: sharedAlb(stack) })(stack),
    error: /^TestStack\/Blog: firewall only applies to the load balancer the construct creates; associate a web ACL with the loadBalancer given yourself, got "TestStack\/Alb"$/,
  },
  // rules shared with the other constructs, through the site's props
  {
    name: 'memory cpu 2048 does not allow',
    build: siteWith({ cpu: 2048, memoryLimitMiB: 2048 }),
    error: /^TestStack\/Blog: memoryLimitMiB must be from 4096 to 16384 in steps of 1024 for cpu 2048, got 2048$/,
  },
  {
    name: 'a requests target of 0',
    build: siteWith({ scaling: { requestsPerTarget: 0 } }),
    error: /^TestStack\/Blog: scaling.requestsPerTarget must be a whole number of at least 1, got 0$/,
  },
  {
    name: 'an HTTP redirect without a certificate',
    build: siteWith({ redirectHttp: true }),
    error: /^TestStack\/Blog: redirectHttp needs a certificate/,
  },
  {
    name: 'a domain name without its zone',
    build: siteWith({ domainName: 'blog.example.com' }),
    error: /^TestStack\/Blog: domainName needs both domainName and domainZone, got "blog.example.com"$/,
  },
  // found by the props fuzz suite (test/props.fuzz.test.ts)
  {
    name: 'an upload limit in bytes',
    build: siteWith({ uploadMaxSize: Size.bytes(100) }),
    error: /^TestStack\/Blog: uploadMaxSize must be a whole number of MiB from 1 MiB to 4 GiB \(for example Size.mebibytes\(64\)\), got "0.0000\d+ MiB"$/,
  },
  {
    name: 'an upload limit from a token',
    build: siteWith({ uploadMaxSize: Size.mebibytes(Lazy.number({ produce: () => 64 })) }),
    error: /^TestStack\/Blog: uploadMaxSize must be a literal size, because the PHP and nginx limits are computed from it, got "a size from a token"$/,
  },
  {
    name: 'a sub-second health check grace period',
    build: siteWith({ healthCheckGracePeriod: Duration.millis(1500) }),
    error: /^TestStack\/Blog: healthCheckGracePeriod \(seconds\) must be a whole number from 0 to 2147483647, got 1.5$/,
  },
  {
    name: 'an auto-pause of NaN seconds',
    build: siteWith({ database: { autoPauseAfter: Duration.seconds(NaN) } }),
    error: /^TestStack\/Blog: database.autoPauseAfter \(seconds\) must be a whole number from 300 to 86400, got NaN$/,
  },
  {
    name: 'a VPC without private subnets with egress',
    build: (stack) => siteWith({ vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] }) })(stack),
    error: /^TestStack\/Blog: vpc must have the subnets the tasks run in by default: .*Private.*, got \{"subnetType":"Private"\}$/,
  },
  {
    name: 'a construct id with a character security group descriptions refuse',
    build: (stack) => new WordpressFargateSite(stack, 'Blög'),
    error: /^TestStack\/Blög: id may only contain letters a-z and A-Z, digits, spaces and .*, got "Blög"$/,
  },
  {
    name: 'a page cache time from a token',
    build: siteWith({ pageCacheTtl: Duration.seconds(Lazy.number({ produce: () => 5 })) }),
    error: /^TestStack\/Blog: pageCacheTtl must be a literal duration, because nginx's cache settings are computed from it, got "a duration from a token"$/,
  },
  {
    name: 'a certificate outside us-east-1, with the CDN',
    build: (stack) => siteWith({ cdn: true, certificate: certificate(stack) })(stack),
    error: /^TestStack\/Blog: certificate must be in us-east-1 with cdn \(CloudFront only uses certificates from there\), got "arn:aws:acm:eu-west-1:/,
  },
  {
    name: 'backups kept for a token number of seconds',
    build: siteWith({ database: { backupRetention: Duration.seconds(Lazy.number({ produce: () => 86400 })) } }),
    error: /^TestStack\/Blog: database.backupRetention must be Duration.days\(...\) when its amount is a token \(it is not converted at synth time\), got "Duration.seconds\(<token>\)"$/,
  },
  {
    name: 'a listener port CloudFront cannot reach, with the CDN',
    build: siteWith({ cdn: true, listenerPort: 1 }),
    error: /^TestStack\/Blog: listenerPort must be 80, 443 or from 1024 to 65535 with cdn \(the ports CloudFront reaches an origin on\), got 1$/,
  },
  {
    name: 'a CloudFront origin response timeout of 0 s',
    build: siteWith({ cdn: true, cdnOriginReadTimeout: Duration.seconds(0) }),
    error: /^TestStack\/Blog: cdnOriginReadTimeout \(seconds\) must be a whole number from 1 to 180, got 0$/,
  },
  {
    name: 'a CloudFront origin response timeout over CloudFront\'s limit of 180 s',
    build: siteWith({ cdn: true, cdnOriginReadTimeout: Duration.minutes(10) }),
    error: /^TestStack\/Blog: cdnOriginReadTimeout \(seconds\) must be a whole number from 1 to 180, got 600$/,
  },
  {
    name: 'a CloudFront origin response timeout from a token',
    build: siteWith({ cdn: true, cdnOriginReadTimeout: Duration.seconds(Lazy.number({ produce: () => 60 })) }),
    error: /^TestStack\/Blog: cdnOriginReadTimeout must be a literal duration, because it is compared with PHP's time limit, got "a duration from a token"$/,
  },
  {
    name: 'a CloudFront origin response timeout without the CDN',
    build: siteWith({ cdnOriginReadTimeout: Duration.seconds(90) }),
    error: /^TestStack\/Blog: cdnOriginReadTimeout only applies with cdn, got "1 minute 30 seconds"$/,
  },
  {
    name: 'the CDN in a region without CloudFront VPC origins',
    build: (stack) => new WordpressFargateSite(new Stack(stack.node.scope as Construct, 'GovStack', { env: { region: 'us-gov-west-1' } }), 'Blog', { cdn: true }),
    error: /^GovStack\/Blog: cdn needs a region that offers CloudFront VPC origins, and the stack's region us-gov-west-1 does not \(they are offered in us-east-2, us-east-1, .*\); deploy the site to one of them or drop cdn, got true$/,
  },
  {
    name: 'the CDN in a VPC of the app without an internet gateway',
    build: (stack) => siteWith({
      cdn: true,
      vpc: new ec2.Vpc(stack, 'Vpc', {
        natGateways: 0, createInternetGateway: false, subnetConfiguration: [{ name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      }),
    })(stack),
    error: /^TestStack\/Blog: vpc must have an internet gateway with cdn: a CloudFront VPC origin needs one attached to its VPC .*, got "TestStack\/Vpc"$/,
  },
  // mail
  {
    name: 'a mail sender without a domain',
    build: siteWith({ mail: { fromAddress: 'registration' } }),
    error: /^TestStack\/Blog: mail.fromAddress must be an email address such as registration@example.com \(no name, no spaces, a domain with a dot\), got "registration"$/,
  },
  {
    name: 'a mail sender with a display name',
    build: siteWith({ mail: { fromAddress: 'Registration <registration@example.com>' } }),
    error: /^TestStack\/Blog: mail.fromAddress must be an email address .*, got "Registration <registration@example.com>"$/,
  },
  {
    name: 'a mail sender whose domain has no dot',
    build: siteWith({ mail: { fromAddress: 'registration@localhost' } }),
    error: /mail.fromAddress must be an email address .*, got "registration@localhost"$/,
  },
  {
    name: 'a mail sender with a local part over 64 characters',
    build: siteWith({ mail: { fromAddress: `${'r'.repeat(65)}@example.com` } }),
    error: /mail.fromAddress must be an email address .*, got "r{65}@example.com"$/,
  },
  {
    name: 'a mail sender from a token',
    build: siteWith({ mail: { fromAddress: Lazy.string({ produce: () => 'registration@example.com' }) } }),
    error: /^TestStack\/Blog: mail.fromAddress must be a literal address, because its domain becomes the SES identity, got "a token"$/,
  },
  {
    name: 'an existing mail identity fromAddress cannot send as',
    build: (stack) => siteWith({ mail: { fromAddress: 'news@example.net', identity: ses.EmailIdentity.fromEmailIdentityName(stack, 'Identity', 'another-example.net') } })(stack),
    error: /^TestStack\/Blog: mail.identity must be the identity fromAddress sends as: news@example.net, its domain example.net or a domain above it \(the task role may send as this identity only, so every message would be refused\), got "another-example.net"$/,
  },
  {
    // a domain covers the domains below it, not every name that ends with its letters
    name: 'an existing mail identity whose name ends the domain of fromAddress without being a domain above it',
    build: (stack) => siteWith({ mail: { fromAddress: 'news@example.net', identity: ses.EmailIdentity.fromEmailIdentityName(stack, 'Identity', 'ample.net') } })(stack),
    error: /^TestStack\/Blog: mail.identity must be the identity fromAddress sends as: news@example.net, its domain example.net or a domain above it .*, got "ample.net"$/,
  },
  {
    name: 'a mail sender outside the domainZone',
    build: (stack) => siteWith({
      domainName: 'www.example.com',
      domainZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' }),
      mail: { fromAddress: 'registration@example.org' },
    })(stack),
    error: /^TestStack\/Blog: mail.fromAddress must be an address of domainZone's domain example.com or of one below it, where its DKIM records go, got "registration@example.org"$/,
  },
  {
    name: 'a mail sender name on two lines',
    build: siteWith({ mail: { fromAddress: 'registration@example.com', fromName: 'Registration\nBcc: x@example.org' } }),
    error: /^TestStack\/Blog: mail.fromName must be one line \(it goes into the From header\), got "Registration\\nBcc: x@example.org"$/,
  },
  {
    name: 'a bounce rate alarm threshold of 0',
    build: siteWith({ mail: { fromAddress: 'registration@example.com', bounceRateAlarmThreshold: 0 } }),
    error: /^TestStack\/Blog: mail.bounceRateAlarmThreshold must be a rate above 0 and at most 1 \(0.05 is 5%\), got 0$/,
  },
  {
    name: 'a bounce rate alarm threshold given in percent',
    build: siteWith({ mail: { fromAddress: 'registration@example.com', bounceRateAlarmThreshold: 5 } }),
    error: /mail.bounceRateAlarmThreshold must be a rate above 0 and at most 1 .*got 5$/,
  },
  {
    name: 'PHP configuration larger than a task definition may be',
    build: siteWith({ wordpressConfigExtra: 'x'.repeat(70000) }),
    error: /^TestStack\/Blog: wordpressConfigExtra may hold at most 49152 characters .*got "70022 characters"$/,
  },
];

const all: Array<[string, BadInput[]]> = [
  ['SsmDecoupledVpc', ssmDecoupledVpc],
  ['LoadBalancedScalingService', loadBalancedScalingService],
  ['ScheduledFargateEtl', scheduledFargateEtl],
  ['WordpressFargateSite', wordpressFargateSite],
];

describe.each(all)('%s rejects', (_construct, rows) => {
  test.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const stack = new Stack(testApp(), 'TestStack');
    expect(() => row.build(stack)).toThrow(row.error);
  });
});

/**
 * Inputs the props fuzz suite found synthesizing templates CloudFormation (or the
 * service behind it) refuses, which the constructs now turn into valid templates.
 */
const nowValid: Array<[string, (stack: Stack) => unknown]> = [
  ['a job whose long construct id made the failure topic\'s display name too long for SNS (100 characters)',
    (stack) => new ScheduledFargateEtl(stack, `Etl${'X'.repeat(120)}`, { schedule: MONTHLY, image: IMAGE })],
  ['a job with a MySQL sidecar, whose health check retried more often than ECS allows (10)',
    (stack) => new ScheduledFargateEtl(stack, 'Etl', { schedule: MONTHLY, image: IMAGE, mysqlSidecar: { databaseName: 'db' } })],
  ['the boundary of natInstanceType: one NAT instance (natGateways 1)',
    (stack) => vpcWith({ natGateways: 1, natInstanceType: new ec2.InstanceType('t4g.nano') })(stack)],
  ['the boundary of the producer check: importing exactly the subnet types the producer in the app has',
    (stack) => {
      vpcWith({ natGateways: 0 })(stack);
      return SsmDecoupledVpc.fromParameters(stack, 'Imported', { parameterPrefix: PREFIX, subnetTypes: [ec2.SubnetType.PUBLIC, ec2.SubnetType.PRIVATE_ISOLATED] });
    }],
  ['a deregistration delay from a CloudFormation parameter, rendered as the number it encodes',
    (stack) => new LoadBalancedScalingService(stack, 'Web', {
      image: IMAGE,
      accessLogs: false,
      deregistrationDelay: Duration.seconds(new CfnParameter(stack, 'Delay', { type: 'Number', default: 30 }).valueAsNumber),
    })],
];

describe('now synthesizes without a CloudFormation finding', () => {
  test.each(nowValid)('%s', (_name, build) => {
    const app = testApp();
    build(new Stack(app, 'TestStack'));
    expect(synthFindings(app)).toEqual([]);
  });
});

test('errors are plain Errors, never TypeErrors', () => {
  for (const row of all.flatMap(([, rows]) => rows)) {
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
