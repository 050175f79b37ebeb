import * as cdk from 'aws-cdk-lib';
import { Annotations, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { ScheduledFargateEtl, ScheduledFargateEtlProps, SsmDecoupledVpc } from '../src';
import { appWithVpcToLookUp, assetImage, buildAndSynth, Built as BuiltIn, containersOf, logicalId, logicalIdOf, MONTHLY, only, statementsOf, synth } from './support';
import { idleCost, idleCostLines } from './support/cost-model';
import { evaluateAlarmMath, matchesEventPattern, resolveIntrinsics } from './support/event-pattern';


/** The job the tests build: the monthly schedule and an ECR image, plus `props` and what `extra` builds. */
type Built = Omit<BuiltIn<ScheduledFargateEtl>, 'construct'> & { readonly etl: ScheduledFargateEtl; readonly repository: ecr.Repository };

function build(props: Partial<ScheduledFargateEtlProps> = {}, extra?: (stack: Stack) => Partial<ScheduledFargateEtlProps>): Built {
  let repository!: ecr.Repository;
  const { construct: etl, ...built } = buildAndSynth((stack) => {
    repository = new ecr.Repository(stack, 'Repository', { imageScanOnPush: true });
    return new ScheduledFargateEtl(stack, 'MonthlyEtl', {
      schedule: MONTHLY,
      image: ecs.ContainerImage.fromEcrRepository(repository, 'v1'),
      ...extra?.(stack),
      ...props,
    });
  });
  return { etl, repository, ...built };
}

const containers = containersOf;

/** The state machine's definition, parsed, with each reference written `${LogicalId}` or `${LogicalId.Attribute}`. */
function definitionOf(template: Template): any {
  const definition = only(template, 'AWS::StepFunctions::StateMachine').Properties.DefinitionString;
  const parts: any[] = definition['Fn::Join'] ? definition['Fn::Join'][1] : [definition];
  return JSON.parse(parts.map((p) => typeof p === 'string' ? p : p.Ref ? `\${${p.Ref}}` : `\${${p['Fn::GetAtt'].join('.')}}`).join(''));
}

/** Every state of a definition, those inside Map states too, by name. */
function statesOf(definition: any): Record<string, any> {
  return Object.entries<any>(definition.States).reduce((all, [name, state]) => ({
    ...all, [name]: state, ...(state.ItemProcessor ? statesOf(state.ItemProcessor) : {}),
  }), {} as Record<string, any>);
}

/** The state of the definition that calls `resource` (`ecs:runTask.sync`, `aws-sdk:ecs:listTasks`), or a failed expectation. */
function stateCalling(template: Template, resource: string): any {
  const found = Object.values(statesOf(definitionOf(template))).filter((st) => st.Resource === `arn:\${AWS::Partition}:states:::${resource}`);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The properties of an alarm the construct created. */
function alarmOf(b: Built, alarm: cloudwatch.Alarm): any {
  return b.json.Resources[logicalId(b.stack, alarm)].Properties;
}

/** The policy document of the construct's failure topic. */
function topicPolicy(b: Built): any {
  const topic = logicalId(b.stack, b.etl.failureTopic as sns.Topic);
  return only(b.template, 'AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: topic }] } }).Properties.PolicyDocument;
}

/** The trust policy statements of the role with logical id `role`. */
function trustOf(b: Built, role: string): any {
  return b.json.Resources[role].Properties.AssumeRolePolicyDocument.Statement;
}

/** A trust policy for `service` acting for resources of this account whose ARN is `arn:<partition><service part><region>:<account><resource part>`. */
function trustedForThisAccount(service: string, servicePart: string, resourcePart: string): any[] {
  const sourceArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, servicePart, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, resourcePart]] };
  return [{
    Effect: 'Allow',
    Action: 'sts:AssumeRole',
    Principal: { Service: service },
    Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': sourceArn } },
  }];
}

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** An event pattern of the construct with its intrinsics resolved as in account 123456789012, eu-west-1. */
function patternOf(b: Built, rule: events.Rule): any {
  return resolveIntrinsics(b.json.Resources[logicalId(b.stack, rule)].Properties.EventPattern, {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    [`${logicalId(b.stack, b.etl.cluster as ecs.Cluster)}.Arn`]: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/etl`,
  });
}

interface SampleContainer {
  readonly name: string;
  readonly exitCode?: number;
  readonly reason?: string;
}

/** How a sample task stopped (or, without a stop code, what it is running). */
interface SampleStop {
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly containers?: SampleContainer[];
}

/** An ECS Task State Change event of `family` (revision 3) in the construct's cluster. */
function taskEvent(family: string, lastStatus: string, detail: SampleStop = {}): any {
  const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/etl/0123456789abcdef0123456789abcdef`;
  return {
    'version': '0',
    'source': 'aws.ecs',
    'detail-type': 'ECS Task State Change',
    'account': ACCOUNT,
    'region': REGION,
    'resources': [taskArn],
    'detail': {
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/etl`,
      taskArn,
      taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:3`,
      lastStatus,
      desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      launchType: 'FARGATE',
      ...(detail.stopCode ? { stopCode: detail.stopCode, stoppedReason: detail.stoppedReason ?? '' } : {}),
      containers: (detail.containers ?? [{ name: 'app' }]).map((c) => ({ ...c, lastStatus, taskArn })),
    },
  };
}

/** How a task of the job with the MySQL sidecar stops, for every way a run can end. */
const STOPS: Array<[string, boolean, SampleStop]> = [
  ['the job exits 0, MySQL exits 0 on SIGTERM', false,
    { stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 0 }, { name: 'mysql', exitCode: 0 }] }],
  ['the job exits 1', true,
    { stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 1 }, { name: 'mysql', exitCode: 0 }] }],
  ['the job is killed for using too much memory', true,
    { stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }, { name: 'mysql', exitCode: 0 }] }],
  ['MySQL never becomes healthy: the job gives up after startTimeout', true, {
    stopCode: 'EssentialContainerExited',
    containers: [
      { name: 'app', exitCode: 143, reason: 'CannotStartContainerError: dependency graph: container ordering dependency [mysql] for target [app] has timed out.' },
      { name: 'mysql', exitCode: 0 },
    ],
  }],
  ['MySQL crashes during the run', true,
    { stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 0 }, { name: 'mysql', exitCode: 1 }] }],
  ['the image cannot be pulled: the task fails to start, no exit codes', true, {
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
    containers: [{ name: 'app' }, { name: 'mysql' }],
  }],
  ['Fargate Spot interrupts the run and the job exits 0 on SIGTERM', true,
    { stopCode: 'SpotInterruption', containers: [{ name: 'app', exitCode: 0 }, { name: 'mysql', exitCode: 0 }] }],
  ['someone stops the task', true,
    { stopCode: 'UserInitiated', containers: [{ name: 'app', exitCode: 0 }, { name: 'mysql', exitCode: 0 }] }],
  ['no container ever ran', true, { stopCode: 'EssentialContainerExited', containers: [{ name: 'app' }, { name: 'mysql' }] }],
];

describe('ScheduledFargateEtl with default props', () => {
  let b: Built;
  beforeAll(() => {
    b = build();
  });

  test('creates a VPC with no NAT gateway (two public subnets), and a cluster without Container Insights (opt-in)', () => {
    b.template.resourceCountIs('AWS::EC2::VPC', 1);
    b.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    b.template.resourceCountIs('AWS::EC2::EIP', 0);
    b.template.resourceCountIs('AWS::EC2::Subnet', 2);
    expect(b.etl.vpc.publicSubnets).toHaveLength(2);
    // the addresses the public subnets had next to the private ones and the NAT gateway: an
    // update keeps them (a new public subnet would overlap the old and fail the update)
    expect(Object.values(b.template.findResources('AWS::EC2::Subnet')).map((r) => r.Properties.CidrBlock)).toEqual(['10.0.0.0/18', '10.0.64.0/18']);
    b.template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }] });
    expect(b.etl.cluster.vpc).toBe(b.etl.vpc);
  });

  test('costs at most $5 a month while no run is going (us-east-1 list prices): no NAT gateway, no address, four alarms', () => {
    // the alarms read five metrics: failed invocations, the dead-letter queue, aborted, timed-out and failed executions
    expect(idleCostLines(b.json)).toEqual([{ item: 'alarms', monthly: expect.closeTo(0.50, 5) }]);
    expect(idleCost(b.json)).toBeLessThanOrEqual(5);
  });

  test('the task definition requires Fargate with 1024 CPU units and 2048 MiB', () => {
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '1024',
      Memory: '2048',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    expect(only(b.template, 'AWS::ECS::TaskDefinition').Properties.EphemeralStorage).toBeUndefined();
  });

  test('the execution role is assumed by ECS tasks, pulls from the ECR repository and writes the logs', () => {
    const executionRole = logicalId(b.stack, b.etl.executionRole);
    only(b.template, 'AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })] }, Description: Match.stringLikeRegexp('^Starts the tasks') } });
    expect(statementsOf(b.template, executionRole)).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalId(b.stack, b.etl.logGroup), 'Arn'] } },
      { Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: { 'Fn::GetAtt': [logicalId(b.stack, b.repository), 'Arn'] } },
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    ]));
    b.template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 1); // only the default-SG custom resource's
  });

  test('the task role is a separate role, with no permissions of its own', () => {
    const taskRole = logicalId(b.stack, b.etl.taskRole);
    expect(taskRole).not.toEqual(logicalId(b.stack, b.etl.executionRole));
    expect(statementsOf(b.template, taskRole)).toEqual([]);
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      TaskRoleArn: { 'Fn::GetAtt': [taskRole, 'Arn'] },
      ExecutionRoleArn: { 'Fn::GetAtt': [logicalId(b.stack, b.etl.executionRole), 'Arn'] },
    });
  });

  test('the job container runs the image given, is essential and logs to a log group kept one month', () => {
    const app = containers(b.template).app;
    expect(app.Essential).toBe(true);
    expect(app.LogConfiguration.Options['awslogs-stream-prefix']).toBe('app');
    expect(JSON.stringify(app.Image)).toContain(':v1');
    b.template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    expect(b.etl.mysqlContainer).toBeUndefined();
  });

  test('an EventBridge rule starts the state machine on the cron schedule', () => {
    b.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 4 1 * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { Ref: logicalId(b.stack, b.etl.stateMachine) } })],
    });
    b.template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
  });

  test('only EventBridge acting for a rule of this account may assume the role the rule starts the state machine with', () => {
    const rule = b.json.Resources[logicalId(b.stack, b.etl.eventRule!)].Properties;
    const role = rule.Targets[0].RoleArn['Fn::GetAtt'][0];
    expect(trustOf(b, role)).toEqual(trustedForThisAccount('events.amazonaws.com', ':events:', ':rule/*'));
    expect(statementsOf(b.template, role)).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: logicalId(b.stack, b.etl.stateMachine) } }]);
  });

  test('the state machine runs one task of the family with the .sync integration, in the public subnets with a public IP', () => {
    const runTask = stateCalling(b.template, 'ecs:runTask.sync');
    const sg = logicalId(b.stack, b.etl.securityGroup);
    expect(runTask.Parameters).toEqual({
      'Cluster': `\${${logicalId(b.stack, b.etl.cluster as ecs.Cluster)}.Arn}`,
      'TaskDefinition': b.etl.taskDefinition.family,
      'LaunchType': 'FARGATE',
      'PlatformVersion': 'LATEST',
      'NetworkConfiguration': {
        AwsvpcConfiguration: {
          AssignPublicIp: 'ENABLED',
          SecurityGroups: [`\${${sg}.GroupId}`],
          Subnets: b.etl.vpc.publicSubnets.map((s) => `\${${b.stack.resolve(s.subnetId).Ref}}`),
        },
      },
      // the group lets a timed-out run find and stop its own tasks
      'Group.$': "States.Format('run:{}', $$.Execution.Name)",
    });
    expect(definitionOf(b.template).States.Plan.Result).toEqual({ tasks: [1] });
  });

  test('a run may take 24 hours by default: the RunTask state times out then', () => {
    expect(stateCalling(b.template, 'ecs:runTask.sync').TimeoutSeconds).toBe(86400);
  });

  test('the schedule retries three times for up to two hours, then drops the run into an encrypted dead-letter queue', () => {
    const queue = logicalId(b.stack, b.etl.deadLetterQueue);
    b.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: Match.anyValue(),
      Targets: [Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
      })],
    });
    b.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
  });

  test('a stopped task of this family that did not complete its run notifies the failure topic, as JSON', () => {
    const topic = logicalId(b.stack, b.etl.failureTopic as sns.Topic);
    const rule = b.json.Resources[logicalId(b.stack, b.etl.failureRule)].Properties;
    expect(rule.EventPattern).toEqual({
      'source': ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      'detail': {
        clusterArn: [{ 'Fn::GetAtt': [logicalId(b.stack, b.etl.cluster as ecs.Cluster), 'Arn'] }],
        taskDefinitionArn: [{
          prefix: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
              `:task-definition/${b.etl.taskDefinition.family}:`]],
          },
        }],
        lastStatus: ['STOPPED'],
        $or: [
          { stopCode: [{ 'anything-but': 'EssentialContainerExited' }] },
          { containers: { exitCode: [{ 'anything-but': 0 }] } },
          { containers: { exitCode: [{ exists: false }] } },
        ],
      },
    });
    expect(rule.Targets).toEqual([expect.objectContaining({
      Arn: { Ref: topic },
      InputTransformer: expect.objectContaining({
        InputPathsMap: expect.objectContaining({ 'detail-containers': '$.detail.containers', 'detail-stoppedReason': '$.detail.stoppedReason' }),
      }),
    })]);
  });

  test('an alarm on the rule\'s failed invocations notifies the failure topic', () => {
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: logicalId(b.stack, b.etl.eventRule!) } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(b.stack, b.etl.failureTopic as sns.Topic) }],
    });
  });

  test('the failure topic only accepts TLS', () => {
    expect(topicPolicy(b).Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]));
  });

  test('the task\'s security group admits nothing', () => {
    const sg = only(b.template, 'AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('no inbound traffic') } });
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    b.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('synthesizes without warnings', () => {
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('matches the reviewed snapshot', () => {
    expect(b.json).toMatchSnapshot();
  });
});

describe('ScheduledFargateEtl: the state machine bounds and serializes runs', () => {
  let b: Built;
  let states: Record<string, any>;
  let topic: string;
  beforeAll(() => {
    b = build({ maxRuntime: Duration.hours(2) });
    states = statesOf(definitionOf(b.template));
    topic = `\${${logicalId(b.stack, b.etl.failureTopic as sns.Topic)}}`;
  });

  test('the RunTask state times out at maxRuntime; the execution an hour later, as a backstop', () => {
    expect(stateCalling(b.template, 'ecs:runTask.sync').TimeoutSeconds).toBe(7200);
    expect(definitionOf(b.template).TimeoutSeconds).toBe(7200 + 3600);
  });

  test('a run first looks for another execution of its state machine still running, then for a task of its family starting or running', () => {
    const definition = definitionOf(b.template);
    expect(definition.StartAt).toBe('FindRunningExecutions');
    // an execution waiting to try RunTask again has no task yet: it is found by its execution
    expect(states.FindRunningExecutions).toMatchObject({
      Resource: 'arn:${AWS::Partition}:states:::aws-sdk:sfn:listExecutions',
      Parameters: { 'StateMachineArn.$': '$$.StateMachine.Id', 'StatusFilter': 'RUNNING', 'MaxResults': 2 },
      ResultSelector: { 'executions.$': '$.Executions' },
      ResultPath: '$.going',
      Next: 'FindRunningTasks',
    });
    // a task whose execution ended without stopping it is found by its family
    expect(states.FindRunningTasks).toMatchObject({
      Resource: 'arn:${AWS::Partition}:states:::aws-sdk:ecs:listTasks',
      Parameters: { Cluster: `\${${logicalId(b.stack, b.etl.cluster as ecs.Cluster)}.Arn}`, Family: b.etl.taskDefinition.family, DesiredStatus: 'RUNNING' },
      ResultPath: '$.running',
      Next: 'RunGoing',
    });
    // this execution is one of those listed: another is the second
    expect(states.RunGoing).toEqual({
      Type: 'Choice',
      Choices: [{ Or: [{ Variable: '$.going.executions[1]', IsPresent: true }, { Variable: '$.running.taskArns[0]', IsPresent: true }], Next: 'ReportSkipped' }],
      Default: 'Plan',
    });
  });

  test('the state machine may list the executions of itself only, and the schedule waits for that permission', () => {
    const policy = logicalIdOf(b.template, 'AWS::IAM::Policy', /ListExecutionsPolicy/);
    expect(b.json.Resources[policy].Properties).toMatchObject({
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'states:ListExecutions', Resource: { Ref: logicalId(b.stack, b.etl.stateMachine) } }] },
      Roles: [{ Ref: logicalId(b.stack, b.etl.stateMachineRole) }],
    });
    // the policy names the state machine: the state machine must not wait for it (a cycle)
    expect(b.json.Resources[logicalId(b.stack, b.etl.stateMachine)].DependsOn).not.toContain(policy);
    expect(b.json.Resources[logicalId(b.stack, b.etl.eventRule!)].DependsOn).toContain(policy);
    // the schedule of a time zone (EventBridge Scheduler) too
    const zoned = build({ maxRuntime: Duration.hours(2), timeZone: TimeZone.EUROPE_BERLIN });
    const zonedPolicy = logicalIdOf(zoned.template, 'AWS::IAM::Policy', /ListExecutionsPolicy/);
    expect(zoned.json.Resources[logicalId(zoned.stack, zoned.etl.schedulerSchedule!)].DependsOn).toContain(zonedPolicy);
  });

  test('a run due while one is going is not started, and the failure topic is told it was skipped', () => {
    expect(states.ReportSkipped).toMatchObject({
      Resource: 'arn:${AWS::Partition}:states:::sns:publish',
      Parameters: {
        TopicArn: topic,
        Message: expect.objectContaining({
          'skipped': expect.stringMatching(/not started/), 'runningExecutions.$': '$.going.executions', 'runningTasks.$': '$.running.taskArns',
        }),
      },
      Next: 'Skipped',
    });
    expect(states.Skipped.Type).toBe('Succeed');
  });

  test('a run that outlives maxRuntime has its own tasks stopped, then the topic gets a message naming the timeout', () => {
    expect(states.Run.Catch[0]).toEqual({ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'ListTasksOfTimedOutRun' });
    // the tasks of the family that still run, described to read their group, stopped when the group is this execution's
    expect(states.ListTasksOfTimedOutRun.Parameters).toMatchObject({ Family: b.etl.taskDefinition.family, DesiredStatus: 'RUNNING' });
    expect(states.StopTasksOfTimedOutRun.ItemSelector).toEqual({
      'taskArn.$': '$$.Map.Item.Value.TaskArn',
      'group.$': '$$.Map.Item.Value.Group',
      'runGroup.$': "States.Format('run:{}', $$.Execution.Name)",
    });
    expect(states.IsTaskOfTimedOutRun.Choices).toEqual([{ Variable: '$.group', StringEqualsPath: '$.runGroup', Next: 'StopTaskOfTimedOutRun' }]);
    expect(states.StopTaskOfTimedOutRun).toMatchObject({
      Resource: 'arn:${AWS::Partition}:states:::aws-sdk:ecs:stopTask',
      Parameters: { 'Task.$': '$.taskArn', 'Reason': 'maxRuntime (2 hours) exceeded' },
    });
    expect(states.StopTasksOfTimedOutRun.Next).toBe('ReportTimeout');
    expect(states.ReportTimeout).toMatchObject({
      Parameters: {
        TopicArn: topic,
        Message: expect.objectContaining({ 'timedOut': 'The run took longer than maxRuntime (2 hours) and its tasks were stopped', 'error.$': '$.error.Error' }),
      },
      Next: 'MaxRuntimeExceeded',
    });
    expect(states.MaxRuntimeExceeded).toMatchObject({ Type: 'Fail', Error: 'MaxRuntimeExceeded' });
  });

  test('a timed-out run whose tasks could not be stopped says they may still be running, with the error, and fails apart', () => {
    for (const name of ['ListTasksOfTimedOutRun', 'DescribeTasksOfTimedOutRun', 'StopTasksOfTimedOutRun']) {
      expect(states[name].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.stopError', Next: 'ReportTimeoutNotStopped' }]);
    }
    const message = states.ReportTimeoutNotStopped.Parameters.Message;
    expect(message).toMatchObject({
      'timedOut': 'The run took longer than maxRuntime (2 hours), and stopping its tasks failed',
      'stillRunning.$': "States.Format('they may still be running: stop the tasks of group {} in the cluster by hand', States.Format('run:{}', $$.Execution.Name))",
      'error.$': '$.error.Error',
      'stopError.$': '$.stopError.Error',
      'stopCause.$': '$.stopError.Cause',
    });
    expect(JSON.stringify(message)).not.toMatch(/were stopped/);
    expect(states.ReportTimeoutNotStopped.Next).toBe('MaxRuntimeExceededNotStopped');
    expect(states.MaxRuntimeExceededNotStopped).toMatchObject({ Type: 'Fail', Error: 'MaxRuntimeExceededNotStopped', Cause: expect.stringMatching(/may still be running/) });
  });

  test('any other failure of the run first stops the tasks of the run still going (the other tasks of a Map), then is published and fails the execution', () => {
    expect(states.Run.Catch[1]).toEqual({ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ListTasksOfFailedRun' });
    expect(states.ListTasksOfFailedRun.Parameters).toMatchObject({ Family: b.etl.taskDefinition.family, DesiredStatus: 'RUNNING' });
    expect(states.IsTaskOfFailedRun.Choices).toEqual([{ Variable: '$.group', StringEqualsPath: '$.runGroup', Next: 'StopTaskOfFailedRun' }]);
    expect(states.StopTasksOfFailedRun.ItemSelector['runGroup.$']).toBe("States.Format('run:{}', $$.Execution.Name)");
    expect(states.StopTasksOfFailedRun.Next).toBe('ReportFailure');
    expect(states.AnyTaskOfFailedRunRunning.Default).toBe('ReportFailure');
    // the lookups before the run started no task: straight to the report
    for (const name of ['FindRunningExecutions', 'FindRunningTasks']) {
      expect(states[name].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ReportFailure' }]);
    }
    expect(states.ReportFailure).toMatchObject({
      Parameters: { TopicArn: topic, Message: expect.objectContaining({ 'error.$': '$.error.Error', 'cause.$': '$.error.Cause' }) },
      Next: 'RunFailed',
    });
    expect(states.RunFailed.Type).toBe('Fail');
    for (const name of ['ListTasksOfFailedRun', 'DescribeTasksOfFailedRun', 'StopTasksOfFailedRun']) {
      expect(states[name].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.stopError', Next: 'ReportFailureNotStopped' }]);
    }
    expect(states.ReportFailureNotStopped.Parameters.Message).toMatchObject({
      'stillRunning.$': expect.stringContaining('may still be running'), 'error.$': '$.error.Error', 'stopError.$': '$.stopError.Error',
    });
    expect(states.RunFailedNotStopped).toMatchObject({ Type: 'Fail', Error: 'RunFailedNotStopped' });
  });

  test('every call beside the run itself, and every report, is retried with backoff (throttling, service errors)', () => {
    const retried = ['FindRunningExecutions', 'FindRunningTasks', 'ReportSkipped', 'ReportFailure', 'ReportFailureNotStopped', 'ReportTimeout', 'ReportTimeoutNotStopped',
      ...['TimedOutRun', 'FailedRun'].flatMap((kind) => [`ListTasksOf${kind}`, `DescribeTasksOf${kind}`, `StopTaskOf${kind}`])];
    for (const name of retried) {
      expect([name, states[name].Retry]).toEqual([name, [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 }]]);
    }
    // every Task state but the run (its timeout is maxRuntime; a retried RunTask would start another task)
    const tasks = Object.entries(states).filter(([, st]) => st.Type === 'Task').map(([name]) => name);
    expect(tasks.sort()).toEqual([...retried, 'RunTask'].sort());
  });

  test('RunTask is tried again only on the error AWS names for a call that started no task (AmazonECS.Unknown: no capacity)', () => {
    // "If a non-empty Failures field is encountered, the task is failed with an AmazonECS.Unknown
    // error" (Step Functions Developer Guide, "Run Amazon ECS or Fargate tasks"); any other
    // error may come with a task started, and a retry would start a second one
    expect(states.RunTask.Retry).toEqual([{ ErrorEquals: ['AmazonECS.Unknown'], IntervalSeconds: 60, MaxAttempts: 4, BackoffRate: 2 }]);
    // the waits between the tries (1 + 2 + 4 + 8 minutes) and a run of maxRuntime fit in the
    // execution's own timeout, with room left for stopping and reporting
    const [retry] = states.RunTask.Retry;
    const waits = Array.from({ length: retry.MaxAttempts }, (_, i) => retry.IntervalSeconds * retry.BackoffRate ** i)
      .reduce((sum, wait) => sum + wait, 0);
    expect(waits + states.RunTask.TimeoutSeconds).toBeLessThan(definitionOf(b.template).TimeoutSeconds - 600);
  });

  test('the state machine may run, describe and stop only tasks of this family and cluster, pass only the two task roles, manage only the .sync rule, list only its own executions', () => {
    const cluster = { 'Fn::GetAtt': [logicalId(b.stack, b.etl.cluster as ecs.Cluster), 'Arn'] };
    const inCluster = { ArnEquals: { 'ecs:cluster': cluster } };
    const arn = (rest: any[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...rest]] });
    expect(statementsOf(b.template, logicalId(b.stack, b.etl.stateMachineRole))).toEqual([
      {
        Effect: 'Allow',
        Action: 'ecs:RunTask',
        Condition: inCluster,
        Resource: arn([':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:task-definition/${b.etl.taskDefinition.family}:*`]),
      },
      {
        Effect: 'Allow',
        Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
        Condition: inCluster,
        Resource: arn([':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':task/', { Ref: logicalId(b.stack, b.etl.cluster as ecs.Cluster) }, '/*']),
      },
      { Effect: 'Allow', Action: 'ecs:ListTasks', Condition: inCluster, Resource: '*' },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        Resource: [{ 'Fn::GetAtt': [logicalId(b.stack, b.etl.executionRole), 'Arn'] }, { 'Fn::GetAtt': [logicalId(b.stack, b.etl.taskRole), 'Arn'] }],
      },
      {
        Effect: 'Allow',
        Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
        Resource: arn([':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':rule/StepFunctionsGetEventsForECSTaskRule']),
      },
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: logicalId(b.stack, b.etl.failureTopic as sns.Topic) } },
      { Effect: 'Allow', Action: 'states:ListExecutions', Resource: { Ref: logicalId(b.stack, b.etl.stateMachine) } },
    ]);
    b.template.hasResourceProperties('AWS::StepFunctions::StateMachine', { RoleArn: { 'Fn::GetAtt': [logicalId(b.stack, b.etl.stateMachineRole), 'Arn'] } });
  });

  test('an execution stopped by someone or outliving its own limit notifies the failure topic', () => {
    const alarm = alarmOf(b, b.etl.abortedRunsAlarm);
    const stateMachine = [{ Name: 'StateMachineArn', Value: { Ref: logicalId(b.stack, b.etl.stateMachine) } }];
    expect(alarm.Metrics.map((m: any) => m.Expression ?? [m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions])).toEqual([
      'FILL(aborted, 0) + FILL(timedOut, 0)', ['ExecutionsAborted', stateMachine], ['ExecutionsTimedOut', stateMachine],
    ]);
    expect(evaluateAlarmMath(alarm.Metrics, { aborted: [undefined], timedOut: [1] })).toEqual([1]);
    expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(b.stack, b.etl.failureTopic as sns.Topic) }]);
  });

  test('every failed execution notifies the failure topic, also one that could not report (States.Runtime, a topic it could not publish to)', () => {
    const alarm = alarmOf(b, b.etl.failedExecutionsAlarm);
    expect(alarm).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(b.stack, b.etl.stateMachine) } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(b.stack, b.etl.failureTopic as sns.Topic) }],
    });
  });

  test('only Step Functions acting for a state machine of this account may assume the state machine\'s role', () => {
    expect(trustOf(b, logicalId(b.stack, b.etl.stateMachineRole))).toEqual(trustedForThisAccount('states.amazonaws.com', ':states:', ':stateMachine:*'));
  });
});

describe('ScheduledFargateEtl with allowOverlappingRuns', () => {
  test('every run starts: no lookup of running executions or tasks before RunTask, and no permission to list executions', () => {
    const { template } = build({ allowOverlappingRuns: true });
    const definition = definitionOf(template);
    expect(definition.StartAt).toBe('Plan');
    expect(Object.keys(statesOf(definition))).not.toEqual(expect.arrayContaining(['FindRunningExecutions']));
    expect(Object.keys(statesOf(definition))).not.toEqual(expect.arrayContaining(['FindRunningTasks']));
    expect(JSON.stringify(template.toJSON())).not.toMatch(/states:ListExecutions/);
    expect(Object.keys(statesOf(definition))).not.toEqual(expect.arrayContaining(['ReportSkipped']));
    // a run that times out still stops only its own tasks, the others' runs go on
    expect(statesOf(definition).IsTaskOfTimedOutRun.Choices[0].StringEqualsPath).toBe('$.runGroup');
  });
});

describe('ScheduledFargateEtl as in the article: bucket, MySQL sidecar, secrets, 50 GiB', () => {
  let b: Built;
  let bucket: s3.Bucket;
  let apiSecret: secretsmanager.Secret;
  beforeAll(() => {
    b = build({
      cpu: 1024,
      memoryLimitMiB: 2048,
      ephemeralStorageGiB: 50,
      family: 'monthly-etl',
      command: ['python', 'etl.py', '--month', 'previous'],
      environment: { LOG_LEVEL: 'info' },
      mysqlSidecar: { databaseName: 'my_database', mysqldArguments: ['--innodb-buffer-pool-size=512M'] },
      logRetention: logs.RetentionDays.THREE_MONTHS,
      notificationEmails: ['data-team@example.com'],
    }, (stack) => {
      bucket = new s3.Bucket(stack, 'Data', { encryptionKey: new kms.Key(stack, 'DataKey', { enableKeyRotation: true }), enforceSSL: true });
      apiSecret = new secretsmanager.Secret(stack, 'Api');
      const token = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', { parameterName: '/etl/token' });
      return {
        bucket,
        vpc: SsmDecoupledVpc.fromParameters(stack, 'Vpc', { parameterPrefix: '/my-app/network' }),
        secrets: { API_KEY: ecs.Secret.fromSecretsManager(apiSecret, 'apiKey'), TOKEN: ecs.Secret.fromSsmParameter(token) },
      };
    });
  });

  test('runs in the VPC given', () => {
    b.template.resourceCountIs('AWS::EC2::VPC', 0);
    const vpcId = Object.entries<any>(b.json.Parameters).find(([, p]) => p.Default === '/my-app/network/vpc-id')![0];
    b.template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: { Ref: vpcId } });
  });

  test('the task definition has the cpu, memory, ephemeral storage and family given', () => {
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '2048',
      EphemeralStorage: { SizeInGiB: 50 },
      Family: 'monthly-etl',
    });
  });

  test('the task role may read and write the bucket\'s objects (and use its key), and nothing else', () => {
    const statements = statementsOf(b.template, logicalId(b.stack, b.etl.taskRole));
    const bucketArn = { 'Fn::GetAtt': [logicalId(b.stack, bucket), 'Arn'] };
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: bucketArn },
      { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [bucketArn, '/*']] } },
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'] }),
    ]);
  });

  test('the job gets the bucket name, its environment, its command and its secrets', () => {
    const app = containers(b.template).app;
    expect(app.Command).toEqual(['python', 'etl.py', '--month', 'previous']);
    expect(app.Environment).toEqual(expect.arrayContaining([
      { Name: 'LOG_LEVEL', Value: 'info' },
      { Name: 'BUCKET_NAME', Value: { Ref: logicalId(b.stack, bucket) } },
    ]));
    const secrets = Object.fromEntries(app.Secrets.map((s: any) => [s.Name, s.ValueFrom]));
    expect(secrets.API_KEY).toEqual({ 'Fn::Join': ['', [{ Ref: logicalId(b.stack, apiSecret) }, ':apiKey::']] });
    expect(JSON.stringify(secrets.TOKEN)).toContain(':parameter/etl/token');
  });

  test('a second essential container runs the official MySQL 8.4 image with the database given', () => {
    const mysql = containers(b.template).mysql;
    expect(mysql).toMatchObject({
      Essential: true,
      Image: 'public.ecr.aws/docker/library/mysql:8.4',
      Command: ['--innodb-buffer-pool-size=512M'],
      Environment: [{ Name: 'MYSQL_DATABASE', Value: 'my_database' }, { Name: 'MYSQL_USER', Value: 'etl' }],
      StopTimeout: 60,
    });
    expect(b.etl.mysqlContainer).toBeDefined();
  });

  test('MySQL\'s passwords come from a generated secret, never from a plain environment variable', () => {
    const secret = logicalId(b.stack, b.etl.mysqlSecret as secretsmanager.Secret);
    const password = { 'Fn::Join': ['', [{ Ref: secret }, ':password::']] };
    const { mysql, app } = containers(b.template);
    expect(mysql.Secrets).toEqual([{ Name: 'MYSQL_PASSWORD', ValueFrom: password }, { Name: 'MYSQL_ROOT_PASSWORD', ValueFrom: password }]);
    expect(app.Secrets).toEqual(expect.arrayContaining([{ Name: 'DB_PASSWORD', ValueFrom: password }]));
    b.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { GenerateStringKey: 'password', SecretStringTemplate: '{"username":"etl"}', PasswordLength: 32, ExcludePunctuation: true },
    });
    expect(JSON.stringify(b.json)).not.toMatch(/PASSWORD","Value"/);
  });

  test('the job reaches MySQL on 127.0.0.1:3306', () => {
    expect(containers(b.template).app.Environment).toEqual(expect.arrayContaining([
      { Name: 'DB_HOST', Value: '127.0.0.1' },
      { Name: 'DB_PORT', Value: '3306' },
      { Name: 'DB_DATABASE', Value: 'my_database' },
      { Name: 'DB_USER', Value: 'etl' },
    ]));
  });

  test('the job starts only when MySQL is healthy', () => {
    const { mysql, app } = containers(b.template);
    expect(mysql.HealthCheck).toEqual({
      Command: ['CMD-SHELL', 'mysqladmin ping --host=127.0.0.1 --port=3306 --silent || exit 1'],
      Interval: 5,
      Timeout: 5,
      // ECS accepts 1 to 10 retries
      Retries: 10,
      StartPeriod: 40,
    });
    expect(app.DependsOn).toEqual([{ ContainerName: 'mysql', Condition: 'HEALTHY' }]);
  });

  test('the execution role reads the secrets it injects', () => {
    const statements = statementsOf(b.template, logicalId(b.stack, b.etl.executionRole));
    expect(statements).toEqual(expect.arrayContaining([{
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: [{ Ref: logicalId(b.stack, apiSecret) }, { Ref: logicalId(b.stack, b.etl.mysqlSecret as secretsmanager.Secret) }],
    }]));
    expect(JSON.stringify(statements)).toContain(':parameter/etl/token');
  });

  test('logs are kept as long as asked, and the emails given are subscribed', () => {
    b.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    b.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'data-team@example.com' });
  });

  test('synthesizes without warnings', () => {
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('matches the reviewed snapshot', () => {
    expect(b.json).toMatchSnapshot();
  });
});

describe('ScheduledFargateEtl in a time zone, through EventBridge Scheduler', () => {
  let b: Built;
  beforeAll(() => {
    b = build({ timeZone: TimeZone.EUROPE_BERLIN, desiredTaskCount: 2, fargateSpot: true, retryAttempts: 5, maxEventAge: Duration.hours(6) });
  });

  test('schedules the cron expression in the time zone given, and has no EventBridge rule for it', () => {
    b.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 4 1 * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      GroupName: Match.stringLikeRegexp('ScheduleGroup'),
    });
    expect(b.etl.eventRule).toBeUndefined();
    expect(b.etl.schedulerSchedule).toBeDefined();
    b.template.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: Match.anyValue() }, 0);
  });

  test('starts the state machine, which runs two tasks on Fargate Spot; with retries, maximum age and the dead-letter queue', () => {
    const runTask = stateCalling(b.template, 'ecs:runTask.sync');
    expect(runTask.Parameters.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
    expect(runTask.Parameters.LaunchType).toBeUndefined();
    expect(definitionOf(b.template).States.Plan.Result).toEqual({ tasks: [1, 2] });
    expect(definitionOf(b.template).States.Run.MaxConcurrency).toBe(2);
    b.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        Arn: { Ref: logicalId(b.stack, b.etl.stateMachine) },
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(b.stack, b.etl.deadLetterQueue), 'Arn'] } },
      }),
    });
    b.template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: ['FARGATE', 'FARGATE_SPOT'] });
  });

  test('alarms on runs its schedule group lost for good: sent to the dead-letter queue, failed to be sent there, or dropped', () => {
    const alarm = alarmOf(b, b.etl.failedInvocationsAlarm);
    expect(alarm.Metrics.map((m: any) => m.Expression ?? m.MetricStat.Metric.MetricName)).toEqual([
      'FILL(sentToDlq, 0) + FILL(failedToDlq, 0) + FILL(dropped, 0)',
      'InvocationsSentToDeadLetterCount', 'InvocationsFailedToBeSentToDeadLetterCount', 'InvocationDroppedCount',
    ]);
    const groupName = only(b.template, 'AWS::Scheduler::ScheduleGroup').Properties.Name;
    for (const metric of alarm.Metrics.slice(1)) {
      expect(metric.MetricStat.Metric.Dimensions).toEqual([{ Name: 'ScheduleGroup', Value: groupName }]);
    }
    expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(b.stack, b.etl.failureTopic as sns.Topic) }]);
  });

  test('each lost run alarms alone (a missing datapoint counts as 0); a target error that a retry may still turn into a run does not', () => {
    const alarm = alarmOf(b, b.etl.failedInvocationsAlarm);
    // CloudWatch has no datapoint for a series where nothing happened
    expect(evaluateAlarmMath(alarm.Metrics, { sentToDlq: [1], failedToDlq: [undefined], dropped: [undefined] })).toEqual([1]);
    expect(evaluateAlarmMath(alarm.Metrics, { sentToDlq: [undefined], failedToDlq: [1], dropped: [undefined] })).toEqual([1]);
    expect(evaluateAlarmMath(alarm.Metrics, { sentToDlq: [undefined], failedToDlq: [undefined], dropped: [1] })).toEqual([1]);
    expect(JSON.stringify(alarm)).not.toMatch(/TargetErrorCount/);
  });

  test('the schedule group is deleted with the stack: it holds no data, and a retained one would block the redeploy', () => {
    b.template.hasResource('AWS::Scheduler::ScheduleGroup', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('still notifies failed runs', () => {
    b.template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'detail-type': ['ECS Task State Change'] }) });
  });

  test('synthesizes without warnings', () => {
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('matches the reviewed snapshot', () => {
    expect(b.json).toMatchSnapshot();
  });
});

describe('ScheduledFargateEtl, other choices', () => {
  test('runs in a VPC looked up by name, in its private subnets', () => {
    const { app, env } = appWithVpcToLookUp('data-platform');
    const stack = new Stack(app, 'TestStack', { env });
    const etl = new ScheduledFargateEtl(stack, 'Etl', {
      schedule: MONTHLY,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.37'),
      vpcName: 'data-platform',
    });
    const synthesized = synth(app);
    expect(etl.vpc.vpcId).toBe('vpc-0a1b2c3d4e5f60718');
    expect(synthesized.assembly.manifest.missing).toBeUndefined();
    const parameters = stateCalling(synthesized.template(stack), 'ecs:runTask.sync').Parameters;
    // no AssignPublicIp: RunTask's default, DISABLED
    expect(parameters.NetworkConfiguration.AwsvpcConfiguration).toEqual({
      SecurityGroups: [expect.any(String)],
      Subnets: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
    });
  });

  test('runs in a cluster given, on Spot (capacity providers instead of a launch type)', () => {
    const { template, etl } = build({ fargateSpot: true }, (stack) => {
      const vpc = new ec2.Vpc(stack, 'Shared', { maxAzs: 2, natGateways: 1 });
      return { cluster: new ecs.Cluster(stack, 'Cluster', { vpc }) };
    });
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    const parameters = stateCalling(template, 'ecs:runTask.sync').Parameters;
    expect(parameters.LaunchType).toBeUndefined();
    expect(parameters.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: ['FARGATE', 'FARGATE_SPOT'] });
    expect(etl.vpc).toBe(etl.cluster.vpc);
  });

  test('uses the execution role, task role, topic and queue given', () => {
    const { template, etl, stack } = build({}, (s) => ({
      executionRole: new iam.Role(s, 'Exec', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }),
      taskRole: new iam.Role(s, 'Job', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }),
      failureTopic: new sns.Topic(s, 'Alerts', { enforceSSL: true }),
      deadLetterQueue: new sqs.Queue(s, 'Dlq', { enforceSSL: true }),
    }));
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Exec'), 'Arn'] },
      TaskRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Job'), 'Arn'] },
    });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SQS::Queue', 1); // the queue given
    expect(logicalId(stack, etl.failureTopic as sns.Topic)).toMatch(/^Alerts/);
    expect(logicalId(stack, etl.deadLetterQueue as sqs.Queue)).toMatch(/^Dlq/);
  });

  test('a failure topic from elsewhere is left alone, with a warning that says what its policy must allow', () => {
    // strict validation would turn the warning into a failure; this test reads it instead
    const { template, synthesized } = buildAndSynth((stack) => new ScheduledFargateEtl(stack, 'MonthlyEtl', {
      schedule: MONTHLY,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.37'),
      failureTopic: sns.Topic.fromTopicArn(stack, 'Shared', `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`),
    }), { app: { context: { [cxapi.STRICT_CFN_VALIDATE_ERRORS]: false } } });
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    expect(synthesized.allWarnings()).toEqual([expect.objectContaining({
      path: '/TestStack/MonthlyEtl',
      text: expect.stringMatching(/failureTopic is not a topic of this stack.*events\.amazonaws\.com \(aws:SourceArn: failureRule\).*cloudwatch\.amazonaws\.com/),
    })]);
  });

  test('the warning about a failure topic from elsewhere can be acknowledged', () => {
    const { synthesized } = buildAndSynth((stack) => {
      const etl = new ScheduledFargateEtl(stack, 'MonthlyEtl', {
        schedule: MONTHLY,
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.37'),
        failureTopic: sns.Topic.fromTopicArn(stack, 'Shared', `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`),
      });
      Annotations.of(etl).acknowledgeWarning('cdk-fargate-blueprints:etl.failureTopicPolicy', 'the shared topic allows both services');
      return etl;
    });
    expect(synthesized.allWarnings()).toEqual([]);
  });

  test('accepts DB_DATABASE in the environment when it names the sidecar\'s database (the design\'s own example)', () => {
    const { template } = build({ environment: { DB_DATABASE: 'my_database' }, mysqlSidecar: { databaseName: 'my_database' } });
    expect(containers(template).app.Environment.filter((e: any) => e.Name === 'DB_DATABASE')).toEqual([{ Name: 'DB_DATABASE', Value: 'my_database' }]);
  });

  test('accepts raw schedule expressions AWS accepts, and tokens', () => {
    const expressions = ['rate(1 minute)', 'rate(15 minutes)', 'rate(1 day)', 'cron(0/15 8-17 ? * MON-FRI *)', 'cron(0 4 L * ? *)', 'cron(30 2 ? * 6#3 2025-2030)'];
    for (const expression of expressions) {
      const { template } = build({ schedule: events.Schedule.expression(expression) });
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: expression });
    }
    const { template } = build({}, (stack) => ({
      schedule: events.Schedule.expression(new cdk.CfnParameter(stack, 'Schedule', { default: 'rate(1 day)' }).valueAsString),
    }));
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: { Ref: 'Schedule' } });
  });

  test('a job image asset built for linux/arm64 runs on ARM64 with the default MySQL sidecar (a multi-arch official image)', () => {
    const { template } = build({ image: assetImage(ecrAssets.Platform.LINUX_ARM64), mysqlSidecar: { databaseName: 'db' } });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
  });

  test('a public subnet given by its id gets the task a public IP too, its only way out', () => {
    const { template } = build({}, (stack) => {
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Jobs', {
        vpcId: 'vpc-0a1b2c3d',
        availabilityZones: ['eu-west-1a'],
        publicSubnetIds: ['subnet-0public'],
        publicSubnetRouteTableIds: ['rtb-0public'],
        privateSubnetIds: ['subnet-0private'],
        privateSubnetRouteTableIds: ['rtb-0private'],
      });
      const subnet = ec2.Subnet.fromSubnetAttributes(stack, 'Public', { subnetId: 'subnet-0public', routeTableId: 'rtb-0public' });
      return { vpc, subnetSelection: { subnets: [subnet] } };
    });
    expect(stateCalling(template, 'ecs:runTask.sync').Parameters.NetworkConfiguration.AwsvpcConfiguration)
      .toEqual(expect.objectContaining({ AssignPublicIp: 'ENABLED', Subnets: ['subnet-0public'] }));
  });

  test('ARM64, disabled, without Container Insights, in the subnets given', () => {
    const { template, etl, stack } = build({
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      enabled: false,
      containerInsights: false,
    }, (s) => {
      const vpc = new ec2.Vpc(s, 'Jobs', {
        maxAzs: 2,
        subnetConfiguration: [
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
          { name: 'Web', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          { name: 'Batch', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        ],
      });
      return { vpc, subnetSelection: { subnetGroupName: 'Batch' } };
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    template.hasResourceProperties('AWS::Events::Rule', { State: 'DISABLED', ScheduleExpression: Match.anyValue() });
    // no AssignPublicIp in private subnets: RunTask's default, DISABLED
    expect(stateCalling(template, 'ecs:runTask.sync').Parameters.NetworkConfiguration.AwsvpcConfiguration).toEqual({
      SecurityGroups: [expect.any(String)],
      Subnets: etl.vpc.selectSubnets({ subnetGroupName: 'Batch' }).subnetIds.map((id) => `\${${stack.resolve(id).Ref}}`),
    });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }] });
  });

  test('defaults memory to 2048 MiB, or the smallest value Fargate allows for a larger cpu', () => {
    build({ cpu: 4096 }).template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '4096', Memory: '8192' });
    build({ cpu: 256 }).template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '2048' });
  });

  test('accepts maxRuntime at its bounds: a minute, and a year less an hour (the execution gets that hour)', () => {
    for (const [maxRuntime, seconds] of [[Duration.minutes(1), 60], [Duration.hours(365 * 24 - 1), 31532400]] as const) {
      const { template } = build({ maxRuntime });
      expect(stateCalling(template, 'ecs:runTask.sync').TimeoutSeconds).toBe(seconds);
      expect(definitionOf(template).TimeoutSeconds).toBe(seconds + 3600);
    }
  });

  test('a rate schedule runs through the rule', () => {
    const { template } = build({ schedule: events.Schedule.rate(Duration.hours(6)) });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
  });

  test('another sidecar image and user', () => {
    const { template } = build({
      mysqlSidecar: { databaseName: 'warehouse', username: 'loader', image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/mysql:8.0') },
    });
    const { mysql, app } = containers(template);
    expect(mysql.Image).toBe('public.ecr.aws/docker/library/mysql:8.0');
    expect(mysql.Environment).toEqual([{ Name: 'MYSQL_DATABASE', Value: 'warehouse' }, { Name: 'MYSQL_USER', Value: 'loader' }]);
    expect(app.Environment).toEqual(expect.arrayContaining([{ Name: 'DB_USER', Value: 'loader' }, { Name: 'DB_DATABASE', Value: 'warehouse' }]));
  });
});

describe('ScheduledFargateEtl: every failed or missed run reaches a person', () => {
  let b: Built;
  beforeAll(() => {
    b = build({ mysqlSidecar: { databaseName: 'my_database' } });
  });

  test('the failure topic lets CloudWatch publish for the construct\'s alarms, and EventBridge for the failure rule only', () => {
    const topic = { Ref: logicalId(b.stack, b.etl.failureTopic as sns.Topic) };
    const arnOf = (c: cloudwatch.Alarm | events.Rule) => ({ 'Fn::GetAtt': [logicalId(b.stack, c), 'Arn'] });
    const allowed = topicPolicy(b).Statement.filter((st: any) => st.Effect === 'Allow');
    expect(allowed).toEqual([
      {
        Sid: 'FailedRunsFromEventBridge',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic,
        Condition: { ArnEquals: { 'aws:SourceArn': [arnOf(b.etl.failureRule)] } },
      },
      {
        Sid: 'AlarmsFromCloudWatch',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic,
        Condition: {
          ArnEquals: { 'aws:SourceArn': [arnOf(b.etl.failedInvocationsAlarm), arnOf(b.etl.deadLetterQueueAlarm), arnOf(b.etl.abortedRunsAlarm), arnOf(b.etl.failedExecutionsAlarm)] },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
    // every alarm of the construct is among them, and notifies the topic
    for (const alarm of Object.values<any>(b.template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
    }
  });

  test('the dead-letter queue accepts runs from the schedule\'s rule only', () => {
    const queue = logicalId(b.stack, b.etl.deadLetterQueue as sqs.Queue);
    const policy = only(b.template, 'AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: queue }] } }).Properties.PolicyDocument;
    expect(policy.Statement.filter((st: any) => st.Effect === 'Allow')).toEqual([expect.objectContaining({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(b.stack, b.etl.eventRule!), 'Arn'] } } },
    })]);
  });

  test('a run waiting in the dead-letter queue notifies the failure topic', () => {
    expect(alarmOf(b, b.etl.deadLetterQueueAlarm)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(b.stack, b.etl.deadLetterQueue as sqs.Queue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: logicalId(b.stack, b.etl.failureTopic as sns.Topic) }],
    });
  });

  test('a MySQL sidecar that never becomes healthy stops the run after 2 minutes, and that stop notifies', () => {
    const { mysql, app } = containers(b.template);
    // ECS reads startTimeout on the container depended on (the job waits for MySQL to be HEALTHY);
    // Fargate takes 2 to 120 seconds, and the health check must be able to give its verdict within it
    expect(mysql.StartTimeout).toBe(120);
    const check = mysql.HealthCheck;
    expect(check.StartPeriod + check.Retries * check.Interval).toBeLessThanOrEqual(mysql.StartTimeout);
    expect(app.DependsOn).toEqual([{ ContainerName: 'mysql', Condition: 'HEALTHY' }]);
    const [, , stop] = STOPS.find(([name]) => name.startsWith('MySQL never becomes healthy'))!;
    expect(matchesEventPattern(patternOf(b, b.etl.failureRule), taskEvent(b.etl.taskDefinition.family, 'STOPPED', stop))).toBe(true);
  });

  test.each(STOPS)('the failure rule, when %s: notifies %s', (_name, notifies, stop) => {
    expect(matchesEventPattern(patternOf(b, b.etl.failureRule), taskEvent(b.etl.taskDefinition.family, 'STOPPED', stop))).toBe(notifies);
  });

  test('the failure rule ignores tasks still running and tasks of other families', () => {
    const pattern = patternOf(b, b.etl.failureRule);
    const failed = STOPS[1][2];
    expect(matchesEventPattern(pattern, taskEvent(b.etl.taskDefinition.family, 'RUNNING', { containers: [{ name: 'app' }] }))).toBe(false);
    expect(matchesEventPattern(pattern, taskEvent('another-job', 'STOPPED', failed))).toBe(false);
    expect(matchesEventPattern(pattern, taskEvent(`${b.etl.taskDefinition.family}-other`, 'STOPPED', failed))).toBe(false);
  });
});
