import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeNagFinding, wildcardResourceFinding } from '../private/nag';

/**
 * The Step Functions state machine between a ScheduledFargateEtl's schedule and ECS:
 * it skips a run while the previous one still runs, runs the tasks with the `.sync`
 * integration bounded by `maxRuntime`, stops the tasks of a run that outlived it, and
 * tells the failure topic about skips, timeouts and failures.
 */

/** How long a run may take at most: a Standard execution lasts at most a year, less an hour kept for the lookup, the stop and the report. */
export const MAX_RUNTIME_LIMIT = Duration.hours(365 * 24 - 1);
/** How long the execution itself may run beyond `maxRuntime`: the lookup, stopping the tasks and the report. */
const EXECUTION_MARGIN = Duration.hours(1);

/** What the state machine runs, and where. */
export interface RunStateMachineProps {
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly subnetSelection: ec2.SubnetSelection;
  readonly assignPublicIp: boolean;
  readonly taskCount: number;
  readonly fargateSpot: boolean;
  readonly maxRuntime: Duration;
  readonly allowOverlappingRuns: boolean;
  readonly failureTopic: sns.ITopic;
  /** The roles ECS gives the task: the only ones the state machine may pass. */
  readonly passRoles: iam.IRole[];
  /** Names the job in the messages. */
  readonly jobName: string;
}

/** The state machine and its role, for the construct's members and acknowledgements. */
export interface RunStateMachine {
  readonly stateMachine: sfn.StateMachine;
  readonly role: iam.Role;
}

/**
 * Builds the state machine in `scope` as `StateMachine` (and its role as `StateMachineRole`).
 *
 * The role holds only the statements written here: the tasks' own statement templates
 * (`ecs:StopTask` and `ecs:DescribeTasks` on `*`, for example) are left out by giving the
 * state machine the role without policy updates.
 */
export function createRunStateMachine(scope: Construct, props: RunStateMachineProps): RunStateMachine {
  const stack = Stack.of(scope);
  const family = props.taskDefinition.family;
  const cluster = props.cluster.clusterArn;
  const runGroup = sfn.JsonPath.format('run:{}', sfn.JsonPath.executionName);
  const message = (fields: Record<string, unknown>) => sfn.TaskInput.fromObject({
    job: props.jobName,
    execution: sfn.JsonPath.executionId,
    ...fields,
  });
  const publish = (id: string, fields: Record<string, unknown>) => new tasks.SnsPublish(scope, id, {
    topic: props.failureTopic,
    message: message(fields),
    resultPath: sfn.JsonPath.DISCARD,
  });

  // a run whose tasks outlived maxRuntime: its own tasks are stopped (found by the group
  // RunTask gave them), then reported. The Step Functions guide does not say that a .sync
  // ECS state that times out stops its task (it documents the StopTask permission only:
  // https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html), so the state
  // machine stops them itself; a second StopTask of a stopping task does no harm.
  const timedOut = publish('ReportTimeout', {
    timedOut: `The run took longer than maxRuntime (${props.maxRuntime.toHumanString()}) and was stopped`,
    error: sfn.JsonPath.stringAt('$.error.Error'),
    cause: sfn.JsonPath.stringAt('$.error.Cause'),
  }).next(new sfn.Fail(scope, 'MaxRuntimeExceeded', {
    error: 'MaxRuntimeExceeded',
    cause: `The run took longer than maxRuntime (${props.maxRuntime.toHumanString()}); its tasks were stopped`,
  }));
  const stopRun = stopTasksOfThisRun(scope, cluster, family, runGroup, props.maxRuntime, timedOut);

  const failed = publish('ReportFailure', {
    failed: 'The run failed',
    error: sfn.JsonPath.stringAt('$.error.Error'),
    cause: sfn.JsonPath.stringAt('$.error.Cause'),
  }).next(new sfn.Fail(scope, 'RunFailed', { error: 'RunFailed', cause: 'A task of the run failed to start or did not complete; see the failure topic' }));

  // each task of the run: RunTask and wait for it to stop, at most maxRuntime
  const runTask = new tasks.EcsRunTask(scope, 'RunTask', {
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    cluster: props.cluster,
    taskDefinition: props.taskDefinition,
    launchTarget: withGroup(new tasks.EcsFargateLaunchTarget({
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      capacityProviderOptions: props.fargateSpot
        ? tasks.CapacityProviderOptions.custom([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }])
        : undefined,
    }), runGroup),
    subnets: props.subnetSelection,
    securityGroups: [props.securityGroup],
    assignPublicIp: props.assignPublicIp,
    taskTimeout: sfn.Timeout.duration(props.maxRuntime),
    resultPath: sfn.JsonPath.DISCARD,
  });
  const run = new sfn.Map(scope, 'Run', {
    comment: `Runs ${props.taskCount} task(s) and waits until they stop`,
    itemsPath: '$.tasks',
    maxConcurrency: props.taskCount,
    resultPath: sfn.JsonPath.DISCARD,
  });
  run.itemProcessor(runTask);
  run.addCatch(stopRun, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.error' });
  run.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  const start = new sfn.Pass(scope, 'Plan', {
    comment: 'One item per task of the run',
    result: sfn.Result.fromObject({ tasks: Array.from({ length: props.taskCount }, (_, i) => i + 1) }),
  }).next(run.next(new sfn.Succeed(scope, 'Done')));

  let definition: sfn.IChainable = start;
  if (!props.allowOverlappingRuns) {
    // a task of this family still starting or running (desired status RUNNING) is a run going
    const lookUp = listRunningTasks(scope, 'FindRunningTasks', cluster, family);
    lookUp.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    const skipped = publish('ReportSkipped', {
      skipped: 'The run was due while a previous run was still going, and was not started (allowOverlappingRuns is false)',
      runningTasks: sfn.JsonPath.listAt('$.running.taskArns'),
    }).next(new sfn.Succeed(scope, 'Skipped', { comment: 'A run is going: this one is skipped' }));
    definition = lookUp.next(new sfn.Choice(scope, 'RunGoing')
      .when(sfn.Condition.isPresent('$.running.taskArns[0]'), skipped)
      .otherwise(start));
  }

  const role = new iam.Role(scope, 'StateMachineRole', {
    assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
    description: `Runs the tasks of ${scope.node.path}`,
  });
  grantRunPermissions(role, stack, props);
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
    role: role.withoutPolicyUpdates(),
    // a backstop: the run's own bound is maxRuntime; nothing else here waits
    timeout: props.maxRuntime.plus(EXECUTION_MARGIN),
    comment: `Runs ${scope.node.path}: skips a run while one is going, stops a run after maxRuntime, reports to the failure topic`,
  });
  stateMachine.node.addDependency(role);
  acknowledgeNagFinding(stateMachine, 'AwsSolutions-SF1',
    'A Standard workflow keeps every state of each execution in its history for 90 days; skips, timeouts and failures go to the failure topic.');
  acknowledgeNagFinding(stateMachine, 'AwsSolutions-SF2',
    'The workflow is a lookup, one RunTask and a report: X-Ray would trace three AWS calls a month and cost more than it shows.');
  acknowledgeNagRoleFindings(role, props);
  return { stateMachine, role };
}

/**
 * Stops the tasks of this execution's run that still run: the tasks of the family
 * that ECS lists as running, described, and stopped where their group is this
 * execution's. Any error on the way still reports the timeout.
 */
function stopTasksOfThisRun(
  scope: Construct, cluster: string, family: string, runGroup: string, maxRuntime: Duration, then: sfn.IChainable,
): sfn.IChainable {
  const list = listRunningTasks(scope, 'ListTasksOfTimedOutRun', cluster, family);
  const describe = new tasks.CallAwsService(scope, 'DescribeTasksOfTimedOutRun', {
    service: 'ecs',
    action: 'describeTasks',
    parameters: { Cluster: cluster, Tasks: sfn.JsonPath.listAt('$.running.taskArns') },
    iamResources: ['*'],
    resultSelector: { tasks: sfn.JsonPath.listAt('$.Tasks') },
    resultPath: '$.running',
  });
  const stop = new tasks.CallAwsService(scope, 'StopTaskOfTimedOutRun', {
    service: 'ecs',
    action: 'stopTask',
    parameters: { Cluster: cluster, Task: sfn.JsonPath.stringAt('$.taskArn'), Reason: `maxRuntime (${maxRuntime.toHumanString()}) exceeded` },
    iamResources: ['*'],
    resultPath: sfn.JsonPath.DISCARD,
  });
  const each = new sfn.Map(scope, 'StopTasksOfTimedOutRun', {
    itemsPath: '$.running.tasks',
    itemSelector: {
      taskArn: sfn.JsonPath.stringAt('$$.Map.Item.Value.TaskArn'),
      group: sfn.JsonPath.stringAt('$$.Map.Item.Value.Group'),
      runGroup,
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  each.itemProcessor(new sfn.Choice(scope, 'OfThisRun')
    .when(sfn.Condition.stringEqualsJsonPath('$.group', '$.runGroup'), stop)
    .otherwise(new sfn.Pass(scope, 'OfAnotherRun')));
  for (const state of [list, describe, each]) {
    state.addCatch(then, { errors: [sfn.Errors.ALL], resultPath: '$.stopError' });
  }
  return list.next(new sfn.Choice(scope, 'AnyTaskRunning')
    .when(sfn.Condition.isPresent('$.running.taskArns[0]'), describe.next(each).next(then))
    .otherwise(then));
}

/** The wildcards of the role, each narrowed by a condition on the cluster. */
function acknowledgeNagRoleFindings(role: iam.Role, props: RunStateMachineProps): void {
  const stack = Stack.of(role);
  acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::*]',
    'ecs:ListTasks supports no resource-level permission for Fargate tasks; the statement is limited to this cluster (ecs:cluster).');
  acknowledgeNagFinding(role, wildcardResourceFinding(role, stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` })),
    'The tasks of a run get their ids when they start; describe and stop are limited to tasks of this cluster (ecs:cluster).');
  acknowledgeNagFinding(role, wildcardResourceFinding(role, stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${props.taskDefinition.family}:*` })),
    'Every revision of this task definition family: a deployment registers a new one while a run may still use the previous one.');
}

/**
 * The tasks of the family in the cluster that are starting or running (desired status
 * RUNNING), as `$.running.taskArns`. One page of up to 100 tasks: enough to tell whether
 * a run is going, and more than a run starts (desiredTaskCount is at most 10).
 */
function listRunningTasks(scope: Construct, id: string, cluster: string, family: string): tasks.CallAwsService {
  return new tasks.CallAwsService(scope, id, {
    service: 'ecs',
    action: 'listTasks',
    parameters: { Cluster: cluster, Family: family, DesiredStatus: 'RUNNING' },
    iamResources: ['*'],
    resultSelector: { taskArns: sfn.JsonPath.listAt('$.TaskArns') },
    resultPath: '$.running',
  });
}

/** A launch target that also puts the task in `group` (RunTask's Group, which Step Functions passes on). */
function withGroup(target: tasks.IEcsLaunchTarget, group: string): tasks.IEcsLaunchTarget {
  return {
    bind: (task, options) => {
      const config = target.bind(task, options);
      return { parameters: { ...config.parameters, Group: group } };
    },
  };
}

/**
 * What the state machine may do: run this task definition family in this cluster,
 * list, describe and stop tasks in this cluster, pass the task's two roles to ECS,
 * manage the one EventBridge rule the `.sync` integration uses, and publish to the
 * failure topic.
 */
function grantRunPermissions(role: iam.Role, stack: Stack, props: RunStateMachineProps): void {
  const inCluster = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['ecs:RunTask'],
    resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${props.taskDefinition.family}:*` })],
    conditions: inCluster,
  }));
  // task ARNs name the cluster but not the family, and ListTasks takes no resource
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
    resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` })],
    conditions: inCluster,
  }));
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['ecs:ListTasks'],
    resources: ['*'],
    conditions: inCluster,
  }));
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: props.passRoles.map((r) => r.roleArn),
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  }));
  // the rule Step Functions manages to learn that a .sync task stopped
  // (https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html)
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
    resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForECSTaskRule' })],
  }));
  props.failureTopic.grantPublish(role);
}
