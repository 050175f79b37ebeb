#!/usr/bin/env node
/**
 * The sample app: what a user of cdk-fargate-blueprints writes.
 *
 * `npm run sample` synthesizes it to sample/cdk.out without an AWS account or credentials.
 * The stacks share the network and the table through SSM Parameter Store, never through
 * CloudFormation exports: each can be deployed, updated and rolled back on its own
 * (network and table first; the dependencies below only order the deployment).
 *
 * The first three stacks are the go-on-aws "Fargate Container" app: a network stack, a
 * table stack, and a service stack that finds both through SSM. The ETL stack runs a
 * monthly job with a MySQL sidecar in the same network. The WordPress stack is a
 * registration site, warmed up before the registration opens and scaling with the rush.
 */
import { Annotations, App, Duration, RemovalPolicy, Stack, StackProps, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { LoadBalancedScalingService, ScheduledFargateEtl, SsmDecoupledVpc, WordpressFargateSite } from 'cdk-fargate-blueprints';

/** Where the network stack publishes the VPC, and every other stack finds it. */
const NETWORK_PREFIX = '/go-on-aws/network';
/** Where the table stack publishes the table's name. */
const TABLE_PARAMETER = '/go-on-aws/table';

export const app = new App();
// Synthesizing needs no credentials. The load balancer's access logs need the region: the
// one the CDK CLI finds in your AWS configuration, where you will deploy.
const env: StackProps['env'] = { region: process.env.CDK_DEFAULT_REGION ?? 'eu-central-1' };

// ---------------------------------------------------------------------------------------
// Network: a VPC (2 AZs, 1 NAT gateway, S3/DynamoDB endpoints, flow logs) published under
// NETWORK_PREFIX, plus the VPC id alone under /go-on-aws/vpc for tools that look it up by id.
export const networkStack = new Stack(app, 'SampleNetwork', {
  env,
  description: 'cdk-fargate-blueprints sample: the shared VPC, published through SSM Parameter Store',
});
new SsmDecoupledVpc(networkStack, 'Network', {
  parameterPrefix: NETWORK_PREFIX,
  vpcIdParameterName: '/go-on-aws/vpc',
});

// ---------------------------------------------------------------------------------------
// Table: the app's data, kept when the stack is deleted, its name published in SSM.
export const tableStack = new Stack(app, 'SampleTable', {
  env,
  description: 'cdk-fargate-blueprints sample: the DynamoDB table of the go-on-aws app, its name in SSM',
});
const table = new dynamodb.TableV2(tableStack, 'Items', {
  partitionKey: { name: 'itemID', type: dynamodb.AttributeType.STRING },
  billing: dynamodb.Billing.onDemand(),
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  removalPolicy: RemovalPolicy.RETAIN,
});
new ssm.StringParameter(tableStack, 'TableName', {
  parameterName: TABLE_PARAMETER,
  stringValue: table.tableName,
  description: 'Name of the go-on-aws table',
});

// ---------------------------------------------------------------------------------------
// Service: the containerized app behind a public load balancer, in the VPC imported through
// SSM. The app reads the table's name from the parameter named in TABLE_PARAMETER, and may
// scan that table and nothing else. It sits behind basic auth, so 401 counts as healthy.
export const serviceStack = new Stack(app, 'SampleService', {
  env,
  description: 'cdk-fargate-blueprints sample: the go-on-aws app on Fargate, scaling with load',
});
const vpc = SsmDecoupledVpc.fromParameters(serviceStack, 'Vpc', { parameterPrefix: NETWORK_PREFIX });
const tableParameter = ssm.StringParameter.fromStringParameterName(serviceStack, 'TableParameter', TABLE_PARAMETER);
const web = new LoadBalancedScalingService(serviceStack, 'Web', {
  // replace with your application's image
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/hello-app-runner:latest'),
  // this image is built for x86 only; drop the line for an image built for arm64 (or multi-arch): Graviton is the default
  cpuArchitecture: ecs.CpuArchitecture.X86_64,
  containerPorts: [8000],
  family: 'go-on-aws',
  vpc,
  healthyHttpCodes: '200,401',
  ssmParameters: { TABLE_PARAMETER: tableParameter },
  scaling: { minCapacity: 1, maxCapacity: 5, cpuTargetPercent: 50, memoryTargetPercent: 50 },
  logRetention: logs.RetentionDays.ONE_WEEK,
});
dynamodb.Table.fromTableName(serviceStack, 'Table', tableParameter.stringValue)
  .grant(web.taskDefinition.taskRole, 'dynamodb:Scan');
serviceStack.addStackDependency(networkStack);
serviceStack.addStackDependency(tableStack);

// ---------------------------------------------------------------------------------------
// ETL: a job at 04:00 UTC on the first of every month, with a MySQL sidecar, reading and
// writing a bucket, stopped after two hours; failed, stopped and skipped runs are notified
// (subscribe to the failure topic).
export const etlStack = new Stack(app, 'SampleEtl', {
  env,
  description: 'cdk-fargate-blueprints sample: a monthly ETL job on Fargate with a MySQL sidecar',
});
const data = new s3.Bucket(etlStack, 'Data', {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  versioned: true,
  removalPolicy: RemovalPolicy.RETAIN,
});
new ScheduledFargateEtl(etlStack, 'MonthlyEtl', {
  schedule: events.Schedule.cron({ day: '1', hour: '4', minute: '0' }),
  // your job's image, pushed to this repository with the tag v1
  image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(etlStack, 'Repository', 'monthly-etl'), 'v1'),
  cpu: 1024,
  memoryLimitMiB: 2048,
  ephemeralStorageGiB: 50,
  vpc: SsmDecoupledVpc.fromParameters(etlStack, 'Vpc', { parameterPrefix: NETWORK_PREFIX }),
  bucket: data,
  mysqlSidecar: { databaseName: 'my_database' },
  // a run still going after two hours is stopped and reported; a run due while one is
  // going is skipped and reported (allowOverlappingRuns defaults to false)
  maxRuntime: Duration.hours(2),
});
etlStack.addStackDependency(networkStack);

// ---------------------------------------------------------------------------------------
// WordPress: a registration site. Registration opens on Mondays at 09:00 Berlin time and
// thousands of users sign up within minutes. At 08:40 the database's floor rises to 4 ACU
// (no resume from pause, no catching up from 0.5 ACU), at 08:45 twenty tasks (0.5 vCPU each) start; from 11:00
// both may shrink again (the database pauses after 5 idle minutes, the tasks follow load).
export const wordpressStack = new Stack(app, 'SampleWordpress', {
  env,
  description: 'cdk-fargate-blueprints sample: a WordPress registration site that survives the Monday rush',
});
const berlin = TimeZone.EUROPE_BERLIN;
const monday = (hour: string, minute: string) => appscaling.Schedule.cron({ weekDay: 'MON', hour, minute });
const registration = new WordpressFargateSite(wordpressStack, 'Registration', {
  vpc: SsmDecoupledVpc.fromParameters(wordpressStack, 'Vpc', { parameterPrefix: NETWORK_PREFIX }),
  // the rush recipe: reloads answered from CloudFront and nginx's 5 s page cache, submissions
  // of the login and registration forms limited per visitor by AWS WAF
  cdn: true,
  firewall: { rateLimit: 100 },
  // registration confirmations and password resets through Amazon SES with the task role.
  // The sample has no hosted zone, so the three DKIM records of example.com are stack
  // outputs (RegistrationMailDkimRecord1..3 and a hash) to add to the domain's DNS;
  // with `domainZone`, the site writes them itself. Use a domain of yours.
  mail: { fromAddress: 'registration@example.com', fromName: 'Registration' },
  database: { minCapacity: 0, maxCapacity: 16 },
  databaseSchedules: [
    { id: 'RushStarts', schedule: monday('8', '40'), minCapacity: 4, timeZone: berlin },
    { id: 'RushEnds', schedule: monday('11', '0'), minCapacity: 0, timeZone: berlin },
  ],
  scaling: {
    minCapacity: 1,
    maxCapacity: 60,
    schedules: [
      { id: 'RushStarts', schedule: monday('8', '45'), minCapacity: 20, timeZone: berlin },
      { id: 'RushEnds', schedule: monday('11', '0'), minCapacity: 1, timeZone: berlin },
    ],
  },
});
// CloudFront waits 60 s for a page (cdnOriginReadTimeout), PHP may run 600 s: the site's
// long jobs (imports, updates) run with WP-CLI through ECS Exec, never through the CDN
Annotations.of(registration).acknowledgeWarning('cdk-fargate-blueprints:WordpressFargateSite.cdnOriginReadTimeoutBelowPhpLimit',
  'long jobs run with WP-CLI through ECS Exec, not through CloudFront');
wordpressStack.addStackDependency(networkStack);
