import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeNagFinding, wildcardResourceFinding } from '../private/nag';
import { servicePrincipalFor } from '../private/service-principal';

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
/**
 * How RunTask is tried again when no task started: after 1, 2, 4 and 8 minutes (15 in all,
 * within the margin). A run waiting between two tries has no task; the overlap check counts
 * its execution.
 */
const RUN_TASK_RETRY = { interval: Duration.minutes(1), maxAttempts: 4, backoffRate: 2 };

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
  /** What must exist before the first execution starts, beside the state machine. */
  readonly readyToStart: iam.Policy[];
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
  }).addRetry(CALL_RETRY);

  const report = (id: string, fields: Record<string, unknown>, error: string, cause: string) =>
    publish(id, fields).next(new sfn.Fail(scope, error, { error, cause }));
  const errorFields = { error: sfn.JsonPath.stringAt('$.error.Error'), cause: sfn.JsonPath.stringAt('$.error.Cause') };
  const stopErrorFields = { stopError: sfn.JsonPath.stringAt('$.stopError.Error'), stopCause: sfn.JsonPath.stringAt('$.stopError.Cause') };
  const maxRuntime = `maxRuntime (${props.maxRuntime.toHumanString()})`;
  const stopByHand = sfn.JsonPath.format('they may still be running: stop the tasks of group {} in the cluster by hand', runGroup);

  // a run whose tasks outlived maxRuntime: its own tasks are stopped (found by the group
  // RunTask gave them), then reported. The Step Functions guide does not say that a .sync
  // ECS state that times out stops its task (it documents the StopTask permission only:
  // https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html), so the state
  // machine stops them itself; a second StopTask of a stopping task does no harm.
  const stopTimedOutRun = stopTasksOfRun(scope, 'TimedOutRun', { cluster, family, runGroup, reason: `${maxRuntime} exceeded` },
    report('ReportTimeout', {
      timedOut: `The run took longer than ${maxRuntime} and its tasks were stopped`,
      ...errorFields,
    }, 'MaxRuntimeExceeded', `The run took longer than ${maxRuntime}; its tasks were stopped`),
    report('ReportTimeoutNotStopped', {
      timedOut: `The run took longer than ${maxRuntime}, and stopping its tasks failed`,
      stillRunning: stopByHand,
      ...errorFields,
      ...stopErrorFields,
    }, 'MaxRuntimeExceededNotStopped', `The run took longer than ${maxRuntime}, and stopping its tasks failed: they may still be running`));

  // any other failure: with more than one task, the other iterations of the Map are
  // aborted, and nothing documents that an aborted .sync state stops its task, so the
  // tasks of the run still going are stopped the same way before the report
  const failed = report('ReportFailure', { failed: 'The run failed', ...errorFields },
    'RunFailed', 'A task of the run failed to start or did not complete; see the failure topic');
  const stopFailedRun = stopTasksOfRun(scope, 'FailedRun', { cluster, family, runGroup, reason: 'another task of the run failed' },
    failed,
    report('ReportFailureNotStopped', {
      failed: 'The run failed, and stopping its other tasks failed',
      stillRunning: stopByHand,
      ...errorFields,
      ...stopErrorFields,
    }, 'RunFailedNotStopped', 'A task of the run failed, and stopping the others failed: they may still be running'));

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
  // retried only where AWS says no task started: RunTask answered with failures (no Fargate or
  // Spot capacity, an ENI limit): "If a non-empty Failures field is encountered, the task is
  // failed with an AmazonECS.Unknown error" (Step Functions Developer Guide, "Run Amazon ECS
  // or Fargate tasks"). No other error: AWS does not say which ones leave no task behind
  // (one raised while .sync waits would have a task running), and RunTask is not idempotent:
  // a retry there would start a second task that no timeout bounds.
  runTask.addRetry({ errors: ['AmazonECS.Unknown'], ...RUN_TASK_RETRY });
  const run = new sfn.Map(scope, 'Run', {
    comment: `Runs ${props.taskCount} task(s) and waits until they stop`,
    itemsPath: '$.tasks',
    maxConcurrency: props.taskCount,
    resultPath: sfn.JsonPath.DISCARD,
  });
  run.itemProcessor(runTask);
  run.addCatch(stopTimedOutRun, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.error' });
  run.addCatch(stopFailedRun, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  const start = new sfn.Pass(scope, 'Plan', {
    comment: 'One item per task of the run',
    result: sfn.Result.fromObject({ tasks: Array.from({ length: props.taskCount }, (_, i) => i + 1) }),
  }).next(run.next(new sfn.Succeed(scope, 'Done')));

  let definition: sfn.IChainable = start;
  if (!props.allowOverlappingRuns) {
    // a run is going when another execution of this state machine runs (it may be waiting to
    // try RunTask again, with no task yet) or a task of this family is starting or running
    // (desired status RUNNING; one whose execution ended without stopping it, too).
    // ListExecutions "is eventually consistent" (Step Functions API reference): two executions
    // started at once may both see the other and both skip (reported), or neither and both run
    // (as with ListTasks)
    const executions = new tasks.CallAwsService(scope, 'FindRunningExecutions', {
      service: 'sfn',
      action: 'listExecutions',
      // two are enough to tell: this execution and another. The list is taken whole: a
      // projection ([*]) of an empty one (the listing is eventually consistent, this execution
      // may not be in it yet) would be a path that matches nothing
      parameters: { StateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'), StatusFilter: 'RUNNING', MaxResults: 2 },
      iamResources: ['*'],
      resultSelector: { executions: sfn.JsonPath.listAt('$.Executions') },
      resultPath: '$.going',
    });
    executions.addRetry(CALL_RETRY);
    const lookUp = listRunningTasks(scope, 'FindRunningTasks', cluster, family);
    // no task started yet: nothing to stop
    for (const state of [executions, lookUp]) {
      state.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    }
    const skipped = publish('ReportSkipped', {
      skipped: 'The run was due while a previous run was still going, and was not started (allowOverlappingRuns is false)',
      runningExecutions: sfn.JsonPath.listAt('$.going.executions'),
      runningTasks: sfn.JsonPath.listAt('$.running.taskArns'),
    }).next(new sfn.Succeed(scope, 'Skipped', { comment: 'A run is going: this one is skipped' }));
    definition = executions.next(lookUp).next(new sfn.Choice(scope, 'RunGoing')
      .when(sfn.Condition.or(sfn.Condition.isPresent('$.going.executions[1]'), sfn.Condition.isPresent('$.running.taskArns[0]')), skipped)
      .otherwise(start));
  }

  const role = new iam.Role(scope, 'StateMachineRole', {
    // confused deputy: only Step Functions acting for a state machine of this account
    // (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html);
    // the state machine's own ARN would be a cycle (it names the role), its name is generated
    assumedBy: servicePrincipalFor(scope, 'states.amazonaws.com',
      { service: 'states', resource: 'stateMachine', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
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
  acknowledgeNagFinding(stateMachine, 'AwsSolutions-SF1',
    'A Standard workflow keeps every state of each execution in its history for 90 days; skips, timeouts and failures go to the failure topic.');
  acknowledgeNagFinding(stateMachine, 'AwsSolutions-SF2',
    'The workflow is a lookup, one RunTask and a report: X-Ray would trace three AWS calls a month and cost more than it shows.');
  acknowledgeNagRoleFindings(role, props);
  if (props.allowOverlappingRuns) {
    return { stateMachine, role, readyToStart: [] };
  }
  // apart from the role's default policy, which the state machine waits for: this one names
  // the state machine, so it can only come after it
  const listExecutions = new iam.Policy(scope, 'StateMachineListExecutionsPolicy', {
    roles: [role],
    statements: [new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [stateMachine.stateMachineArn] })],
  });
  return { stateMachine, role, readyToStart: [listExecutions] };
}

/** What the stop of a run's tasks needs to know. */
interface RunTasks {
  readonly cluster: string;
  readonly family: string;
  /** The group RunTask gave the tasks of this execution's run. */
  readonly runGroup: string;
  /** Why the tasks are stopped, as ECS shows it. */
  readonly reason: string;
}

/**
 * Retries of the calls beside the run itself (ListTasks, DescribeTasks, StopTask, SNS
 * Publish): throttling and service errors pass. States.ALL matches every error but
 * States.Runtime and States.DataLimitExceeded
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html);
 * an error that persists (a missing permission) is caught after the last attempt, about
 * 30 seconds later. None of these states has a timeout, so no States.Timeout is retried.
 */
const CALL_RETRY: sfn.RetryProps = { errors: [sfn.Errors.ALL], interval: Duration.seconds(2), maxAttempts: 5, backoffRate: 2 };

/**
 * Stops the tasks of this execution's run that still run: the tasks of the family
 * that ECS lists as running, described, and stopped where their group is this
 * execution's; then `stopped`. A call that still fails after its retries goes to
 * `notStopped`, with the error in `$.stopError`.
 */
function stopTasksOfRun(scope: Construct, kind: string, run: RunTasks, stopped: sfn.IChainable, notStopped: sfn.IChainable): sfn.IChainable {
  const list = listRunningTasks(scope, `ListTasksOf${kind}`, run.cluster, run.family);
  const describe = new tasks.CallAwsService(scope, `DescribeTasksOf${kind}`, {
    service: 'ecs',
    action: 'describeTasks',
    parameters: { Cluster: run.cluster, Tasks: sfn.JsonPath.listAt('$.running.taskArns') },
    iamResources: ['*'],
    resultSelector: { tasks: sfn.JsonPath.listAt('$.Tasks') },
    resultPath: '$.running',
  });
  describe.addRetry(CALL_RETRY);
  const stop = new tasks.CallAwsService(scope, `StopTaskOf${kind}`, {
    service: 'ecs',
    action: 'stopTask',
    parameters: { Cluster: run.cluster, Task: sfn.JsonPath.stringAt('$.taskArn'), Reason: run.reason },
    iamResources: ['*'],
    resultPath: sfn.JsonPath.DISCARD,
  });
  stop.addRetry(CALL_RETRY);
  const each = new sfn.Map(scope, `StopTasksOf${kind}`, {
    itemsPath: '$.running.tasks',
    itemSelector: {
      taskArn: sfn.JsonPath.stringAt('$$.Map.Item.Value.TaskArn'),
      group: sfn.JsonPath.stringAt('$$.Map.Item.Value.Group'),
      runGroup: run.runGroup,
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  each.itemProcessor(new sfn.Choice(scope, `IsTaskOf${kind}`)
    .when(sfn.Condition.stringEqualsJsonPath('$.group', '$.runGroup'), stop)
    .otherwise(new sfn.Pass(scope, `NotATaskOf${kind}`)));
  for (const state of [list, describe, each]) {
    state.addCatch(notStopped, { errors: [sfn.Errors.ALL], resultPath: '$.stopError' });
  }
  return list.next(new sfn.Choice(scope, `AnyTaskOf${kind}Running`)
    .when(sfn.Condition.isPresent('$.running.taskArns[0]'), describe.next(each).next(stopped))
    .otherwise(stopped));
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
  const list = new tasks.CallAwsService(scope, id, {
    service: 'ecs',
    action: 'listTasks',
    parameters: { Cluster: cluster, Family: family, DesiredStatus: 'RUNNING' },
    iamResources: ['*'],
    resultSelector: { taskArns: sfn.JsonPath.listAt('$.TaskArns') },
    resultPath: '$.running',
  });
  list.addRetry(CALL_RETRY);
  return list;
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
