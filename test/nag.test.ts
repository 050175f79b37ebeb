import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { LoadBalancedScalingService, ScheduledFargateEtl, SsmDecoupledVpc, WordpressFargateSite } from '../src';
import { IMAGE, MONTHLY, synth, testApp } from './support';

/**
 * cdk-nag's AwsSolutions rules on each construct's default and fully featured
 * configuration. `synth` fails with every unacknowledged finding listed; the
 * acknowledgements live in the constructs, next to the resources, with a reason.
 * Each case also pins the exact set of findings the construct acknowledges, so a new
 * acknowledgement cannot slip in unreviewed.
 */

interface NagCase {
  readonly name: string;
  /** An environment-agnostic stack (no account, no region) instead of one in eu-west-1. */
  readonly agnostic?: boolean;
  readonly build: (stack: Stack) => void;
  /** `rule @ construct path (below the stack)` of every acknowledged finding. */
  readonly acknowledged: string[];
}

const ALB_OPEN = 'AwsSolutions-EC23 @ Web/Service/LB/SecurityGroup/Resource';
const ACCESS_LOG_BUCKET = 'AwsSolutions-S1 @ Web/AccessLogs/Resource';
/** Container Insights off: the library's default on the cluster it creates (opt-in, billed per metric). */
const insightsOff = (id: string) => `AwsSolutions-ECS4 @ ${id}/Cluster/Resource`;

const cases: NagCase[] = [
  {
    name: 'SsmDecoupledVpc, default',
    build: (stack) => new SsmDecoupledVpc(stack, 'Network', { parameterPrefix: '/nag/network' }),
    acknowledged: [],
  },
  {
    name: 'SsmDecoupledVpc with a NAT instance',
    build: (stack) => new SsmDecoupledVpc(stack, 'Network', { parameterPrefix: '/nag/network', natInstanceType: new ec2.InstanceType('t4g.nano') }),
    acknowledged: [
      'AwsSolutions-EC23 @ Network/Vpc/NatSecurityGroup/Resource',
      'AwsSolutions-EC28 @ Network/Vpc/PublicSubnet1/NatInstance/Resource',
      'AwsSolutions-EC29 @ Network/Vpc/PublicSubnet1/NatInstance/Resource',
    ],
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
    acknowledged: [],
  },
  {
    name: 'LoadBalancedScalingService, default',
    build: (stack) => new LoadBalancedScalingService(stack, 'Web', { image: IMAGE }),
    acknowledged: [ALB_OPEN, ACCESS_LOG_BUCKET, insightsOff('Web')],
  },
  {
    name: 'LoadBalancedScalingService, default, in an environment-agnostic stack',
    agnostic: true,
    build: (stack) => new LoadBalancedScalingService(stack, 'Web', { image: IMAGE }),
    acknowledged: [ALB_OPEN, ACCESS_LOG_BUCKET, insightsOff('Web')],
  },
  {
    name: 'LoadBalancedScalingService, fully featured',
    build: (stack) => {
      const vpc = SsmDecoupledVpc.fromParameters(stack, 'Vpc', { parameterPrefix: '/nag/network' });
      const table = new ssm.StringParameter(stack, 'Table', { parameterName: '/nag/table', stringValue: 'items' });
      // what the user owns, the user acknowledges
      const apiKey = new secretsmanager.Secret(stack, 'ApiKey');
      Validations.of(apiKey).acknowledge({ id: 'AwsSolutions::AwsSolutions-SMG4', reason: 'a third-party API key, rotated by its issuer' });
      const web = new LoadBalancedScalingService(stack, 'Web', {
        image: IMAGE,
        vpc,
        containerPorts: [8000, 9000],
        cpu: 512,
        memoryLimitMiB: 2048,
        ephemeralStorageGiB: 30,
        environment: { STAGE: 'prod' },
        secrets: { API_KEY: ecs.Secret.fromSecretsManager(apiKey) },
        ssmParameters: { TABLE_PARAMETER: table },
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456'),
        healthyHttpCodes: '200,401',
        scaling: {
          minCapacity: 2,
          maxCapacity: 12,
          memoryTargetPercent: 70,
          requestsPerTarget: 300,
          schedules: [{ id: 'PreWarm', schedule: appscaling.Schedule.cron({ hour: '8', minute: '50' }), minCapacity: 8 }],
        },
        fargateSpot: true,
        enableExecuteCommand: true,
        deregistrationDelay: Duration.seconds(10),
      });
      Validations.of(web.taskDefinition).acknowledge({ id: 'AwsSolutions::AwsSolutions-ECS2', reason: 'STAGE is not a secret' });
    },
    acknowledged: [
      insightsOff('Web'),
      ALB_OPEN,
      ACCESS_LOG_BUCKET,
      'AwsSolutions-IAM5[Resource::*] @ Web/TaskDefinition/TaskRole/DefaultPolicy/Resource',
      // acknowledged by the test, as a user would
      'AwsSolutions-ECS2 @ Web/TaskDefinition/Resource',
      'AwsSolutions-SMG4 @ ApiKey/Resource',
    ],
  },
  {
    name: 'LoadBalancedScalingService, SSM parameter names as its only environment',
    build: (stack) => {
      const web = new LoadBalancedScalingService(stack, 'Web', {
        image: IMAGE,
        ssmParameters: { TABLE_PARAMETER: ssm.StringParameter.fromStringParameterName(stack, 'Table', '/nag/table') },
        accessLogs: false,
      });
      Validations.of(web.loadBalancer).acknowledge({ id: 'AwsSolutions::AwsSolutions-ELB2', reason: 'the user turned access logs off' });
    },
    acknowledged: [
      insightsOff('Web'),
      ALB_OPEN,
      'AwsSolutions-ECS2 @ Web/TaskDefinition/Resource',
      // acknowledged by the test: turning access logs off is the user's decision to own
      'AwsSolutions-ELB2 @ Web/Service/LB/Resource',
    ],
  },
];

/** What the state machine of every ScheduledFargateEtl acknowledges, each with its reason in the construct. */
const ETL_STATE_MACHINE = [
  'AwsSolutions-IAM5[Resource::*] @ Etl/StateMachineRole/DefaultPolicy/Resource',
  'AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:123456789012:task-definition/NagStackEtlTaskDefinition2CFD9C9D:*] @ Etl/StateMachineRole/DefaultPolicy/Resource',
  'AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:123456789012:task/<EtlCluster99EA36E4>/*] @ Etl/StateMachineRole/DefaultPolicy/Resource',
  'AwsSolutions-SF1 @ Etl/StateMachine/Resource',
  'AwsSolutions-SF2 @ Etl/StateMachine/Resource',
];

cases.push(
  {
    name: 'ScheduledFargateEtl, default',
    build: (stack) => new ScheduledFargateEtl(stack, 'Etl', {
      schedule: MONTHLY,
      image: ecs.ContainerImage.fromEcrRepository(new ecr.Repository(stack, 'Repository', { imageScanOnPush: true }), 'v1'),
    }),
    acknowledged: [
      insightsOff('Etl'),
      'AwsSolutions-IAM5[Resource::*] @ Etl/ExecutionRole/DefaultPolicy/Resource',
      ...ETL_STATE_MACHINE,
      'AwsSolutions-SQS3 @ Etl/DeadLetterQueue/Resource',
    ],
  },
  {
    name: 'ScheduledFargateEtl, fully featured (time zone, bucket, MySQL, secrets, Spot)',
    build: (stack) => {
      const bucket = new s3.Bucket(stack, 'Data', {
        encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
        enforceSSL: true,
        serverAccessLogsPrefix: 'access/',
      });
      const apiKey = new secretsmanager.Secret(stack, 'ApiKey');
      Validations.of(apiKey).acknowledge({ id: 'AwsSolutions::AwsSolutions-SMG4', reason: 'a third-party API key, rotated by its issuer' });
      new ScheduledFargateEtl(stack, 'Etl', {
        schedule: MONTHLY,
        timeZone: cdk.TimeZone.EUROPE_BERLIN,
        image: ecs.ContainerImage.fromEcrRepository(new ecr.Repository(stack, 'Repository', { imageScanOnPush: true }), 'v1'),
        vpc: SsmDecoupledVpc.fromParameters(stack, 'Vpc', { parameterPrefix: '/nag/network' }),
        cpu: 2048,
        memoryLimitMiB: 8192,
        ephemeralStorageGiB: 50,
        bucket,
        secrets: { API_KEY: ecs.Secret.fromSecretsManager(apiKey, 'key') },
        mysqlSidecar: { databaseName: 'my_database' },
        fargateSpot: true,
        desiredTaskCount: 2,
        notificationEmails: ['data-team@example.com'],
      });
    },
    acknowledged: [
      insightsOff('Etl'),
      'AwsSolutions-IAM5[Resource::*] @ Etl/ExecutionRole/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<Data666C94C7.Arn>/*] @ Etl/TaskRole/DefaultPolicy/Resource',
      'AwsSolutions-ECS2 @ Etl/TaskDefinition/Resource',
      'AwsSolutions-SMG4 @ ApiKey/Resource',
      'AwsSolutions-SMG4 @ Etl/MysqlCredentials/Resource',
      ...ETL_STATE_MACHINE,
      'AwsSolutions-SQS3 @ Etl/DeadLetterQueue/Resource',
    ],
  },
);

/** What every WordpressFargateSite acknowledges, each with its reason in the construct. */
const WORDPRESS = [
  'AwsSolutions-EC23 @ Blog/Service/LB/SecurityGroup/Resource',
  'AwsSolutions-ECS2 @ Blog/TaskDefinition/Resource',
  // the provider of the custom resource that turns deletion protection on
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] @ AWS679f53fac002430cb0da5b7982bd2287/ServiceRole/Resource',
  'AwsSolutions-IAM5[Resource::*] @ Blog/TaskDefinition/ExecutionRole/DefaultPolicy/Resource',
  // on, by that custom resource, once the site exists
  'AwsSolutions-RDS10 @ Blog/Database/Resource',
  'AwsSolutions-RDS11 @ Blog/Database/Resource',
  'AwsSolutions-RDS14 @ Blog/Database/Resource',
  'AwsSolutions-RDS6 @ Blog/Database/Resource',
  'AwsSolutions-S1 @ Blog/AccessLogs/Resource',
  'AwsSolutions-SMG4 @ Blog/DatabaseSecret/Resource',
  'AwsSolutions-SMG4 @ Blog/KeysAndSalts/Resource',
];

/**
 * A site behind the CDN: its load balancer is internal and admits CloudFront's prefix
 * list (no open range: nothing to acknowledge), whose id a custom resource reads; the CDN
 * has a log bucket and no certificate of its own.
 */
const RUSH = [
  ...WORDPRESS.filter((a) => !a.startsWith('AwsSolutions-EC23')),
  'AwsSolutions-IAM5[Resource::*] @ Blog/CdnOriginFacingPrefixList/CustomResourcePolicy/Resource',
  'AwsSolutions-CFR1 @ Blog/Cdn/Resource',
  'AwsSolutions-CFR2 @ Blog/Cdn/Resource',
  'AwsSolutions-CFR4 @ Blog/Cdn/Resource',
  'AwsSolutions-S1 @ Blog/CdnLogs/Resource',
].sort();

/** The warning every site behind the CDN gets (CloudFront waits less than PHP may run): not cdk-nag's. */
function acknowledgeCdnTimeout(site: WordpressFargateSite): void {
  cdk.Annotations.of(site).acknowledgeWarning('cdk-fargate-blueprints:WordpressFargateSite.cdnOriginReadTimeoutBelowPhpLimit', 'the nag test serves no long request');
}

cases.push(
  {
    name: 'WordpressFargateSite, default',
    build: (stack) => new WordpressFargateSite(stack, 'Blog'),
    acknowledged: [...WORDPRESS, insightsOff('Blog')],
  },
  {
    name: 'WordpressFargateSite, default, in an environment-agnostic stack',
    agnostic: true,
    build: (stack) => new WordpressFargateSite(stack, 'Blog'),
    acknowledged: [...WORDPRESS, insightsOff('Blog')],
  },
  {
    name: 'WordpressFargateSite for the rush: CDN, firewall, page cache',
    build: (stack) => acknowledgeCdnTimeout(new WordpressFargateSite(stack, 'Blog', { cdn: true, firewall: {}, pageCacheTtl: Duration.seconds(10) })),
    acknowledged: [...RUSH, insightsOff('Blog')],
  },
  {
    name: 'WordpressFargateSite for the rush, in an environment-agnostic stack',
    agnostic: true,
    build: (stack) => acknowledgeCdnTimeout(new WordpressFargateSite(stack, 'Blog', { cdn: true, firewall: {} })),
    acknowledged: [...RUSH, insightsOff('Blog')],
  },
  {
    name: 'WordpressFargateSite, fully featured (shared network, HTTPS, pre-warm, bigger database, mail)',
    build: (stack) => {
      new WordpressFargateSite(stack, 'Blog', {
        vpc: SsmDecoupledVpc.fromParameters(stack, 'Vpc', { parameterPrefix: '/nag/network' }),
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456'),
        redirectHttp: true,
        cpu: 2048,
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        uploadMaxSize: cdk.Size.mebibytes(256),
        wordpressConfigExtra: "define('DISALLOW_FILE_EDIT', true);",
        enableExecuteCommand: true,
        mail: { fromAddress: 'registration@example.com', fromName: 'Registration' },
        database: { minCapacity: 0.5, maxCapacity: 32, backupRetention: Duration.days(14) },
        databaseSchedules: [
          { id: 'Rush', schedule: appscaling.Schedule.cron({ hour: '8', minute: '40' }), minCapacity: 8 },
          { id: 'Calm', schedule: appscaling.Schedule.cron({ hour: '10', minute: '0' }), minCapacity: 0.5 },
        ],
        scaling: {
          minCapacity: 2,
          maxCapacity: 40,
          schedules: [{ id: 'PreWarm', schedule: appscaling.Schedule.cron({ hour: '8', minute: '45' }), minCapacity: 20 }],
        },
      });
    },
    acknowledged: [
      ...WORDPRESS,
      insightsOff('Blog'),
      'AwsSolutions-IAM5[Resource::*] @ Blog/TaskDefinition/TaskRole/DefaultPolicy/Resource',
      'AwsSolutions-SQS3 @ Blog/DatabaseSchedulesDeadLetterQueue/Resource',
    ].sort(),
  },
);

/** `rule @ path` of every finding the report lists as acknowledged, below the stack. */
function acknowledgedFindings(outdir: string, stackName: string): string[] {
  const report = JSON.parse(fs.readFileSync(path.join(outdir, cxapi.VALIDATION_REPORT_FILE), 'utf-8'));
  return report.pluginReports
    .filter((p: any) => p.pluginName === 'AwsSolutions')
    .flatMap((p: any) => p.suppressedViolations ?? [])
    .flatMap((v: any) => v.violatingConstructs.map((c: any) => `${v.ruleName} @ ${c.constructPath.replace(`${stackName}/`, '')}`))
    .sort();
}

test.each(cases.map((c) => [c.name, c] as const))('%s passes AwsSolutions checks', (_name, c) => {
  const app = testApp({ nag: true });
  const stack = new Stack(app, 'NagStack', c.agnostic ? {} : { env: { account: '123456789012', region: 'eu-west-1' } });
  c.build(stack);
  expect(() => synth(app)).not.toThrow();
  expect(acknowledgedFindings(app.outdir, 'NagStack')).toEqual([...c.acknowledged].sort());
});

test('the nag helper really fails on a finding', () => {
  const app = testApp({ nag: true });
  const stack = new Stack(app, 'NagStack');
  new ec2.Vpc(stack, 'BareVpc', { restrictDefaultSecurityGroup: false });
  expect(() => synth(app)).toThrow(/\[AwsSolutions\] error AwsSolutions-VPC7 at NagStack\/BareVpc\/Resource/);
});

/**
 * A site's acknowledgements cover the site, never the user's own resources beside it.
 * `Validations.of(scope).acknowledge()` is scope-based ("applies to all constructs under
 * the given scope", https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html);
 * aws-cdk-lib before 2.271.0 (aws/aws-cdk#38495, fixed by #38789) applied it to every
 * construct of the app, so a user on an older release lost these findings. The peer
 * floor is 2.271.0, and `npx projen test:floor` runs this on it.
 */
describe("a user's own resources beside a WordpressFargateSite keep every finding", () => {
  /** A non-compliant bucket, role, secret, security group and queue, each failing a rule the site acknowledges. */
  function userResources(stack: Stack): void {
    new s3.Bucket(stack, 'UserBucket');
    const role = new iam.Role(stack, 'UserRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    new secretsmanager.Secret(stack, 'UserSecret');
    const vpc = new ec2.Vpc(stack, 'UserVpc', { maxAzs: 1, natGateways: 0, flowLogs: { All: {} } });
    const group = new ec2.SecurityGroup(stack, 'UserGroup', { vpc });
    group.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from anywhere');
    new sqs.Queue(stack, 'UserQueue');
  }

  /** `rule @ path` of every finding the report lists, not acknowledged (`reported`) and acknowledged. */
  function findings(build: (stack: Stack) => void): { reported: string[]; acknowledged: string[] } {
    const app = testApp({ nag: true });
    const stack = new Stack(app, 'NagStack', { env: { account: '123456789012', region: 'eu-west-1' } });
    build(stack);
    // unacknowledged findings fail synthesis; the report lists them
    expect(() => app.synth()).toThrow();
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, cxapi.VALIDATION_REPORT_FILE), 'utf-8'));
    const list = (key: string): string[] => report.pluginReports
      .filter((p: any) => p.pluginName === 'AwsSolutions')
      .flatMap((p: any) => p[key] ?? [])
      .flatMap((v: any) => v.violatingConstructs.map((c: any) => `${v.ruleName} @ ${c.constructPath.replace('NagStack/', '')}`))
      .sort();
    return { reported: list('violations'), acknowledged: list('suppressedViolations') };
  }

  let alone: string[];
  let beside: { reported: string[]; acknowledged: string[] };
  beforeAll(() => {
    alone = findings(userResources).reported;
    beside = findings((stack) => {
      new WordpressFargateSite(stack, 'Blog', {
        cdn: true,
        firewall: {},
        // the site's schedule dead-letter queue acknowledges AwsSolutions-SQS3 too
        databaseSchedules: [{ id: 'Rush', schedule: appscaling.Schedule.cron({ hour: '8', minute: '40' }), minCapacity: 8 }],
      });
      // behind the CDN the site's load balancer admits CloudFront's prefix list, which
      // cdk-nag does not flag: a public service acknowledges EC23 for its own load balancer
      new LoadBalancedScalingService(stack, 'Web', { image: IMAGE });
      userResources(stack);
    });
  });

  test.each([
    ['bucket without access logs', 'AwsSolutions-S1', 'UserBucket/Resource'],
    ['role with a wildcard resource', 'AwsSolutions-IAM5[Resource::*]', 'UserRole/DefaultPolicy/Resource'],
    ['secret without rotation', 'AwsSolutions-SMG4', 'UserSecret/Resource'],
    ['security group open to the internet', 'AwsSolutions-EC23', 'UserGroup/Resource'],
    ['queue without a dead-letter queue', 'AwsSolutions-SQS3', 'UserQueue/Resource'],
  ])("the user's %s is reported beside the site, which acknowledges the rule for itself", (_what, rule, userPath) => {
    expect(alone).toContain(`${rule} @ ${userPath}`);
    expect(beside.reported).toContain(`${rule} @ ${userPath}`);
    const ours = beside.acknowledged.filter((a) => a.startsWith(`${rule} @ Blog/`) || a.startsWith(`${rule} @ Web/`));
    expect(ours).not.toEqual([]);
    // nothing outside the constructs but the provider aws-cdk-lib's AwsCustomResource shares per
    // stack (the site's custom resources bring it), whose one finding is the same for anyone
    expect(beside.acknowledged.filter((a) => !a.includes(' @ Blog/') && !a.includes(' @ Web/'))).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] @ AWS679f53fac002430cb0da5b7982bd2287/ServiceRole/Resource',
    ]);
  });

  test('every finding on the user resources alone is reported beside the site, and none of the site', () => {
    expect(beside.reported).toEqual(alone);
  });
});
