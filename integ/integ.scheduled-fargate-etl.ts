import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { integApp, INTEG_PARAMETER_ROOT, SNAPSHOT_OPTIONS } from './util';
import { ScheduledFargateEtl } from '../src';

/**
 * The monthly job of the article, with its MySQL sidecar and a bucket. The assertions
 * check the deployed task definition and schedule through the ECS and EventBridge
 * APIs, then start the task once (as the schedule would) and wait until it has
 * stopped with exit code 0: the job container could only get there by reaching MySQL
 * on 127.0.0.1:3306 with the generated credentials, after MySQL turned healthy.
 *
 * The test stack publishes in SSM what the assertions need, so the assertion stack
 * reads it through the API instead of a CloudFormation export.
 */
const ROOT = `${INTEG_PARAMETER_ROOT}/scheduled-fargate-etl`;
const FAMILY = 'cdk-fargate-blueprints-integ-etl';

const app = integApp();
const stack = new Stack(app, 'ScheduledFargateEtlTest');

const bucket = new s3.Bucket(stack, 'Data', {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
  autoDeleteObjects: true,
});

const etl = new ScheduledFargateEtl(stack, 'MonthlyEtl', {
  schedule: events.Schedule.cron({ day: '1', hour: '4', minute: '0' }),
  // the official MySQL image doubles as the job: its client proves the database is reachable
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/mysql:8.4'),
  command: ['sh', '-c', 'mysql --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --password="$DB_PASSWORD" '
    + '--execute="CREATE TABLE runs (at DATETIME); INSERT INTO runs VALUES (NOW()); SELECT COUNT(*) FROM runs;" "$DB_DATABASE"'],
  family: FAMILY,
  ephemeralStorageGiB: 50,
  bucket,
  mysqlSidecar: { databaseName: 'my_database' },
});

const publish = (name: string, value: string) =>
  new ssm.StringParameter(stack, name, { parameterName: `${ROOT}/${name}`, stringValue: value });
publish('cluster', etl.cluster.clusterArn);
publish('task-definition', etl.taskDefinition.taskDefinitionArn);
publish('rule', etl.rule!.ruleName);
publish('subnets', etl.vpc.privateSubnets.map((s) => s.subnetId).join(','));
publish('security-group', etl.securityGroup.securityGroupId);

const integ = new IntegTest(app, 'ScheduledFargateEtlIntegTest', { testCases: [stack], ...SNAPSHOT_OPTIONS });
const assertions = integ.assertions;
const valueOf = (name: string) => assertions.awsApiCall('SSM', 'getParameter', { Name: `${ROOT}/${name}` }).getAttString('Parameter.Value');

// the task definition as deployed: size, storage, both containers essential, the job after a healthy MySQL
assertions.awsApiCall('ECS', 'describeTaskDefinition', { taskDefinition: FAMILY })
  .expect(ExpectedResult.objectLike({
    taskDefinition: Match.objectLike({
      family: FAMILY,
      cpu: '1024',
      memory: '2048',
      ephemeralStorage: { sizeInGiB: 50 },
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: Match.arrayWith([
        Match.objectLike({ name: 'mysql', essential: true, image: 'public.ecr.aws/docker/library/mysql:8.4' }),
        Match.objectLike({ name: 'app', essential: true, dependsOn: [{ containerName: 'mysql', condition: 'HEALTHY' }] }),
      ]),
    }),
  }));

// the schedule: 04:00 UTC on the first of every month
assertions.awsApiCall('EventBridge', 'describeRule', { Name: valueOf('rule') })
  .expect(ExpectedResult.objectLike({ ScheduleExpression: 'cron(0 4 1 * ? *)', State: 'ENABLED' }));

// one run, started the way the schedule starts it, must stop with exit code 0
const cluster = valueOf('cluster');
const run = assertions.awsApiCall('ECS', 'runTask', {
  cluster,
  taskDefinition: valueOf('task-definition'),
  launchType: 'FARGATE',
  count: 1,
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: Fn.split(',', valueOf('subnets'), 2),
      securityGroups: [valueOf('security-group')],
      assignPublicIp: 'DISABLED',
    },
  },
});
run.provider.addToRolePolicy({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: ['*'] });
assertions.awsApiCall('ECS', 'describeTasks', { cluster, tasks: [run.getAttString('tasks.0.taskArn')] })
  .expect(ExpectedResult.objectLike({
    tasks: [Match.objectLike({
      lastStatus: 'STOPPED',
      containers: Match.arrayWith([Match.objectLike({ name: 'app', exitCode: 0 })]),
    })],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
