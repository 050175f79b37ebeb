import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { integApp, INTEG_PARAMETER_ROOT, SNAPSHOT_OPTIONS, valuesOf } from './util';
import { ScheduledFargateEtl } from '../src';

/**
 * The monthly job of the article, with its MySQL sidecar and a bucket. The assertions
 * check the deployed task definition, and the schedule and what it starts, through the
 * ECS and EventBridge APIs. Then they start the task once, as the schedule would, and
 * wait until it has stopped with exit code 0 in both containers: the job could only get
 * there by reaching MySQL on 127.0.0.1:3306 with the generated credentials after MySQL
 * turned healthy (it fails to connect otherwise), and MySQL must have shut down cleanly
 * when the job was done (the construct reports any other exit code as a failed run).
 *
 * The test stack publishes in SSM what the assertions need, so the assertion stack
 * reads it through the API instead of a CloudFormation export.
 */
const ROOT = `${INTEG_PARAMETER_ROOT}/scheduled-fargate-etl`;
const FAMILY = 'cdk-fargate-blueprints-integ-etl';
const MYSQL_IMAGE = 'public.ecr.aws/docker/library/mysql:8.4';

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
  image: ecs.ContainerImage.fromRegistry(MYSQL_IMAGE),
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
publish('rule', etl.eventRule!.ruleName);
publish('subnets', etl.vpc.privateSubnets.map((s) => s.subnetId).join(','));
publish('security-group', etl.securityGroup.securityGroupId);
publish('started-run-rule', etl.startedRunRule.ruleName);

const integ = new IntegTest(app, 'ScheduledFargateEtlIntegTest', { testCases: [stack], ...SNAPSHOT_OPTIONS });
const assertions = integ.assertions;
const valueOf = (name: string) => assertions.awsApiCall('SSM', 'getParameter', { Name: `${ROOT}/${name}` }).getAttString('Parameter.Value');
const cluster = valueOf('cluster');
const taskDefinitionArn = valueOf('task-definition');
const BOTH = [0, 1];

// the task definition as deployed: size, storage, Fargate, and two essential containers
const taskDefinition = assertions.awsApiCall('ECS', 'describeTaskDefinition', { taskDefinition: FAMILY });
assertions.expect('TaskDefinition',
  ExpectedResult.exact({
    family: FAMILY,
    status: 'ACTIVE',
    cpu: '1024',
    memory: '2048',
    ephemeralStorageGiB: '50',
    compatibility: 'FARGATE',
    networkMode: 'awsvpc',
  }),
  valuesOf(taskDefinition, {
    family: 'taskDefinition.family',
    status: 'taskDefinition.status',
    cpu: 'taskDefinition.cpu',
    memory: 'taskDefinition.memory',
    ephemeralStorageGiB: 'taskDefinition.ephemeralStorage.sizeInGiB',
    compatibility: 'taskDefinition.requiresCompatibilities.0',
    networkMode: 'taskDefinition.networkMode',
  }));
const containerDefinitions = valuesOf(taskDefinition, BOTH.map((i) => ({
  name: `taskDefinition.containerDefinitions.${i}.name`,
  essential: `taskDefinition.containerDefinitions.${i}.essential`,
  image: `taskDefinition.containerDefinitions.${i}.image`,
})));
for (const name of ['mysql', 'app']) {
  assertions.expect(`${name}ContainerDefinition`,
    ExpectedResult.arrayWith([{ name, essential: 'true', image: MYSQL_IMAGE }]),
    containerDefinitions);
}
// MySQL, added first, gives up after 120 s (Fargate's most) without turning healthy: the run then stops
// (and notifies) instead of hanging
assertions.expect('MysqlStartTimeout',
  ExpectedResult.exact({ name: 'mysql', startTimeout: '120' }),
  valuesOf(taskDefinition, { name: 'taskDefinition.containerDefinitions.0.name', startTimeout: 'taskDefinition.containerDefinitions.0.startTimeout' }));

// the schedule, 04:00 UTC on the first of every month, starts one task of this task
// definition on Fargate in this cluster
const rule = valueOf('rule');
assertions.expect('Schedule',
  ExpectedResult.exact({ expression: 'cron(0 4 1 * ? *)', state: 'ENABLED' }),
  valuesOf(assertions.awsApiCall('EventBridge', 'describeRule', { Name: rule }),
    { expression: 'ScheduleExpression', state: 'State' }));
assertions.expect('ScheduleTarget',
  ExpectedResult.exact({ cluster, taskDefinition: taskDefinitionArn, launchType: 'FARGATE', taskCount: '1' }),
  valuesOf(assertions.awsApiCall('EventBridge', 'listTargetsByRule', { Rule: rule }), {
    cluster: 'Targets.0.Arn',
    taskDefinition: 'Targets.0.EcsParameters.TaskDefinitionArn',
    launchType: 'Targets.0.EcsParameters.LaunchType',
    taskCount: 'Targets.0.EcsParameters.TaskCount',
  }));

// one run, started the way the schedule starts it, must stop with exit code 0 in both containers
const run = assertions.awsApiCall('ECS', 'runTask', {
  cluster,
  taskDefinition: taskDefinitionArn,
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
const stopped = assertions.awsApiCall('ECS', 'describeTasks', { cluster, tasks: [run.getAttString('tasks.0.taskArn')] })
  .assertAtPath('tasks.0.lastStatus', ExpectedResult.exact('STOPPED'))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
const runResult = valuesOf(stopped, {
  stopCode: 'tasks.0.stopCode',
  containers: BOTH.map((i) => ({ name: `tasks.0.containers.${i}.name`, exitCode: `tasks.0.containers.${i}.exitCode` })),
});
assertions.expect('JobExitedWithZero',
  ExpectedResult.objectLike({ stopCode: 'EssentialContainerExited', containers: Match.arrayWith([{ name: 'app', exitCode: '0' }]) }),
  runResult);
assertions.expect('MysqlShutDownCleanly',
  ExpectedResult.objectLike({ containers: Match.arrayWith([{ name: 'mysql', exitCode: '0' }]) }),
  runResult);

// the run above was seen starting: the started-run rule, which the missed-runs alarm counts
// runs with, matched its task's PROVISIONING event. One task, so one invocation, summed
// over 30-day periods from the start of 2026 (the only non-empty one holds this run).
assertions.awsApiCall('CloudWatch', 'getMetricStatistics', {
  Namespace: 'AWS/Events',
  MetricName: 'Invocations',
  Dimensions: [{ Name: 'RuleName', Value: valueOf('started-run-rule') }],
  StartTime: '2026-01-01T00:00:00Z',
  EndTime: '2100-01-01T00:00:00Z',
  Period: 2592000,
  Statistics: ['Sum'],
}).assertAtPath('Datapoints.0.Sum', ExpectedResult.exact(1))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(60) });
