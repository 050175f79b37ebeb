import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { integApp, INTEG_PARAMETER_ROOT, SNAPSHOT_OPTIONS, valuesOf } from './util';
import { ScheduledFargateEtl } from '../src';

/**
 * The monthly job of the article, with its MySQL sidecar and a bucket. The assertions
 * check the deployed task definition, and the schedule and the state machine it starts,
 * through the ECS and EventBridge APIs. Then they start the task once, in the public
 * subnets of the construct's own VPC (no NAT gateway) with a public IP, as the state
 * machine does, and wait until it has stopped with exit code 0 in both containers: the
 * job could only get there by pulling its image and reaching MySQL on 127.0.0.1:3306
 * with the generated credentials after MySQL turned healthy (it fails to connect
 * otherwise), and MySQL must have shut down cleanly when the job was done (the construct
 * reports any other exit code as a failed run).
 *
 * A second job sleeps longer than its `maxRuntime` (3 minutes). The assertions start its
 * state machine, wait for the task to run, and start it again: the second execution is
 * skipped (it succeeds at once without a task, and says so on the failure topic); the
 * first ends failed with `MaxRuntimeExceeded`, its task STOPPED, and a message naming the
 * timeout on the topic (read from a queue subscribed to it).
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
publish('state-machine', etl.stateMachine.stateMachineArn);
publish('subnets', etl.vpc.publicSubnets.map((s) => s.subnetId).join(','));
publish('security-group', etl.securityGroup.securityGroupId);

// a job that outlives its maxRuntime, in the same VPC and cluster
const SLEEPER_FAMILY = 'cdk-fargate-blueprints-integ-sleeper';
const sleeper = new ScheduledFargateEtl(stack, 'Sleeper', {
  schedule: events.Schedule.cron({ day: '1', hour: '4', minute: '0' }),
  enabled: false,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.37'),
  command: ['sleep', '900'],
  family: SLEEPER_FAMILY,
  cpu: 256,
  memoryLimitMiB: 512,
  cluster: etl.cluster,
  // the public subnets of the first job's VPC: with a cluster given, the default is private subnets
  subnetSelection: { subnetType: ec2.SubnetType.PUBLIC },
  maxRuntime: Duration.minutes(3),
});
const messages = new sqs.Queue(stack, 'SleeperMessages', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, removalPolicy: RemovalPolicy.DESTROY });
sleeper.failureTopic.addSubscription(new snsSubscriptions.SqsSubscription(messages, { rawMessageDelivery: true }));
publish('sleeper-state-machine', sleeper.stateMachine.stateMachineArn);
publish('sleeper-messages', messages.queueUrl);

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
  ExpectedResult.exact({ stateMachine: valueOf('state-machine'), retries: '3', maxAge: '7200' }),
  valuesOf(assertions.awsApiCall('EventBridge', 'listTargetsByRule', { Rule: rule }), {
    stateMachine: 'Targets.0.Arn',
    retries: 'Targets.0.RetryPolicy.MaximumRetryAttempts',
    maxAge: 'Targets.0.RetryPolicy.MaximumEventAgeInSeconds',
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
      // public subnets, no NAT gateway: the way out is the task's public IP
      assignPublicIp: 'ENABLED',
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

// a run that outlives maxRuntime, and a run started while it goes
const sleeperMachine = valueOf('sleeper-state-machine');
const RUN_WAIT = { totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) };
const first = assertions.awsApiCall('StepFunctions', 'startExecution', { stateMachineArn: sleeperMachine, name: 'integ-outlives-max-runtime' });
const running = assertions.awsApiCall('ECS', 'listTasks', { cluster, family: SLEEPER_FAMILY, desiredStatus: 'RUNNING' })
  .assertAtPath('taskArns.0', ExpectedResult.stringLikeRegexp(':task/'))
  .waitForAssertions(RUN_WAIT);
const second = assertions.awsApiCall('StepFunctions', 'startExecution', { stateMachineArn: sleeperMachine, name: 'integ-started-while-running' });
const skipped = assertions.awsApiCall('StepFunctions', 'describeExecution', { executionArn: second.getAttString('executionArn') })
  .assertAtPath('status', ExpectedResult.exact('SUCCEEDED'))
  .waitForAssertions(RUN_WAIT);
const timedOut = assertions.awsApiCall('StepFunctions', 'describeExecution', { executionArn: first.getAttString('executionArn') })
  .assertAtPath('status', ExpectedResult.exact('FAILED'))
  .waitForAssertions(RUN_WAIT);
// a caught timeout fails the execution (TIMED_OUT is only for the execution's own limit, which no catch sees)
assertions.expect('TimedOutRunFailedWithMaxRuntimeExceeded', ExpectedResult.exact({ error: 'MaxRuntimeExceeded' }), valuesOf(timedOut, { error: 'error' }));
const sleeperTask = assertions.awsApiCall('ECS', 'describeTasks', { cluster, tasks: [running.getAttString('taskArns.0')] })
  .assertAtPath('tasks.0.lastStatus', ExpectedResult.exact('STOPPED'))
  .waitForAssertions(RUN_WAIT);
const topicMessages = assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: valueOf('sleeper-messages'),
  MaxNumberOfMessages: 10,
  // read without hiding them, so that a retry sees them all
  VisibilityTimeout: 0,
  WaitTimeSeconds: 10,
}).expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([
    Match.objectLike({ Body: Match.stringLikeRegexp('"skipped":') }),
    Match.objectLike({ Body: Match.stringLikeRegexp('"timedOut":"The run took longer than maxRuntime \\(3 minutes\\)') }),
  ]),
})).waitForAssertions(RUN_WAIT);
first.next(running).next(second).next(skipped).next(timedOut).next(sleeperTask).next(topicMessages);
