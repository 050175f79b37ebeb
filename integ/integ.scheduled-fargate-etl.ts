import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { integApp, INTEG_PARAMETER_ROOT, SNAPSHOT_OPTIONS, valuesOf } from './util';
import { ScheduledFargateEtl } from '../src';

/**
 * The monthly job of the article, with its MySQL sidecar and a bucket. The assertions
 * check the deployed task definition, and the schedule and the state machine it starts,
 * through the ECS and EventBridge APIs. Then they start the state machine once, as the
 * schedule does, and wait until the execution SUCCEEDED: the lookup found no run going,
 * the task ran in the public subnets of the construct's own VPC (no NAT gateway) with a
 * public IP, and stopped with exit code 0 in both containers (read from the stopped task):
 * the job could only get there by pulling its image and reaching MySQL on 127.0.0.1:3306
 * with the generated credentials after MySQL turned healthy (it fails to connect
 * otherwise), and MySQL must have shut down cleanly when the job was done (the construct
 * reports any other exit code as a failed run).
 *
 * A second job sleeps longer than its `maxRuntime` (3 minutes). The assertions start its
 * state machine, wait for the task to run, and start it again: the second execution is
 * skipped (it succeeds at once without a task, and says so on the failure topic); the
 * first ends failed with `MaxRuntimeExceeded`, its task STOPPED, and a message saying the
 * tasks were stopped on the topic. Each message is read from a queue of its own that the
 * topic delivers only that kind of message to (a filter policy on the message body), one
 * message body at a time: a custom resource answers CloudFormation with at most 4 KB.
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
publish('rule', etl.eventRule!.ruleName);
publish('state-machine', etl.stateMachine.stateMachineArn);

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
/** A queue that gets the sleeper's messages that have `field` (the JSON body is filtered). */
const messagesWith = (field: string) => {
  const queue = new sqs.Queue(stack, `Sleeper-${field}`, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, removalPolicy: RemovalPolicy.DESTROY });
  sleeper.failureTopic.addSubscription(new snsSubscriptions.SqsSubscription(queue, {
    rawMessageDelivery: true,
    filterPolicyWithMessageBody: { [field]: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.existsFilter()) },
  }));
  publish(`sleeper-${field}-messages`, queue.queueUrl);
};
messagesWith('skipped');
messagesWith('timedOut');
publish('sleeper-state-machine', sleeper.stateMachine.stateMachineArn);

const integ = new IntegTest(app, 'ScheduledFargateEtlIntegTest', { testCases: [stack], ...SNAPSHOT_OPTIONS });
const assertions = integ.assertions;
const valueOf = (name: string) => assertions.awsApiCall('SSM', 'getParameter', { Name: `${ROOT}/${name}` }).getAttString('Parameter.Value');
const cluster = valueOf('cluster');
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

// one run, started the way the schedule starts it: the execution succeeds, and its task
// stopped with exit code 0 in both containers (the only task of the family, so the first STOPPED one)
// the first run of a new VPC pulls both images and initializes MySQL's data directory
const MONTHLY_WAIT = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };
const monthlyRun = assertions.awsApiCall('StepFunctions', 'startExecution', { stateMachineArn: valueOf('state-machine'), name: 'integ-monthly-run' });
const monthlySucceeded = assertions.awsApiCall('StepFunctions', 'describeExecution', { executionArn: monthlyRun.getAttString('executionArn') })
  .assertAtPath('status', ExpectedResult.exact('SUCCEEDED'))
  .waitForAssertions(MONTHLY_WAIT);
const monthlyTask = assertions.awsApiCall('ECS', 'listTasks', { cluster, family: FAMILY, desiredStatus: 'STOPPED' });
const stopped = assertions.awsApiCall('ECS', 'describeTasks', { cluster, tasks: [monthlyTask.getAttString('taskArns.0')] });
const runResult = valuesOf(stopped, {
  stopCode: 'tasks.0.stopCode',
  group: 'tasks.0.group',
  containers: BOTH.map((i) => ({ name: `tasks.0.containers.${i}.name`, exitCode: `tasks.0.containers.${i}.exitCode` })),
});
monthlyRun.next(monthlySucceeded).next(monthlyTask).next(stopped);
assertions.expect('StartedByTheStateMachine', ExpectedResult.objectLike({ group: 'run:integ-monthly-run' }), runResult);
assertions.expect('JobExitedWithZero',
  ExpectedResult.objectLike({ stopCode: 'EssentialContainerExited', containers: Match.arrayWith([{ name: 'app', exitCode: '0' }]) }),
  runResult);
assertions.expect('MysqlShutDownCleanly',
  ExpectedResult.objectLike({ containers: Match.arrayWith([{ name: 'mysql', exitCode: '0' }]) }),
  runResult);

// a run that outlives maxRuntime, and a run started while it goes
const SLEEPER_WAIT = { totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) };
const sleeperMachine = valueOf('sleeper-state-machine');
const first = assertions.awsApiCall('StepFunctions', 'startExecution', { stateMachineArn: sleeperMachine, name: 'integ-outlives-max-runtime' });
const running = assertions.awsApiCall('ECS', 'listTasks', { cluster, family: SLEEPER_FAMILY, desiredStatus: 'RUNNING' })
  .assertAtPath('taskArns.0', ExpectedResult.stringLikeRegexp(':task/'))
  .waitForAssertions(SLEEPER_WAIT);
const second = assertions.awsApiCall('StepFunctions', 'startExecution', { stateMachineArn: sleeperMachine, name: 'integ-started-while-running' });
const skipped = assertions.awsApiCall('StepFunctions', 'describeExecution', { executionArn: second.getAttString('executionArn') })
  .assertAtPath('status', ExpectedResult.exact('SUCCEEDED'))
  .waitForAssertions(SLEEPER_WAIT);
const timedOut = assertions.awsApiCall('StepFunctions', 'describeExecution', { executionArn: first.getAttString('executionArn') })
  .assertAtPath('status', ExpectedResult.exact('FAILED'))
  .waitForAssertions(SLEEPER_WAIT);
// a caught timeout fails the execution (TIMED_OUT is only for the execution's own limit, which no catch sees)
assertions.expect('TimedOutRunFailedWithMaxRuntimeExceeded', ExpectedResult.exact({ error: 'MaxRuntimeExceeded' }), valuesOf(timedOut, { error: 'error' }));
const sleeperTask = assertions.awsApiCall('ECS', 'describeTasks', { cluster, tasks: [running.getAttString('taskArns.0')] })
  .assertAtPath('tasks.0.lastStatus', ExpectedResult.exact('STOPPED'))
  .waitForAssertions(SLEEPER_WAIT);
/** The first message in the queue of the messages with `field`, asserted to match `pattern`. */
const firstMessageWith = (field: string, pattern: string) => assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: valueOf(`sleeper-${field}-messages`),
  MaxNumberOfMessages: 1,
  // read without hiding it, so that a retry sees it again
  VisibilityTimeout: 0,
  WaitTimeSeconds: 10,
}).assertAtPath('Messages.0.Body', ExpectedResult.stringLikeRegexp(pattern)).waitForAssertions(SLEEPER_WAIT);
const skippedMessage = firstMessageWith('skipped', '"skipped":"The run was due while a previous run was still going');
const timedOutMessage = firstMessageWith('timedOut', '"timedOut":"The run took longer than maxRuntime \\(3 minutes\\) and its tasks were stopped"');
first.next(running).next(second).next(skipped).next(timedOut).next(sleeperTask).next(skippedMessage).next(timedOutMessage);
