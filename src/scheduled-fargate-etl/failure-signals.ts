import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { alarmsMayPublish } from '../private/alarm-topic';

/**
 * What a ScheduledFargateEtl watches, beside its state machine, to tell a person that
 * a run failed or never happened: the ECS events of its task family, the metrics of its
 * schedule, and the policy that lets EventBridge and CloudWatch publish to the failure topic.
 */

/** The tasks of one family in one cluster, as ECS Task State Change events name them. */
export interface TaskFamily {
  readonly clusterArn: string;
  /** `arn:<partition>:ecs:<region>:<account>:task-definition/<family>:` (any revision). */
  readonly taskDefinitionPrefix: string;
}

/**
 * A stopped task of the family whose run did not complete:
 * - any stop code but `EssentialContainerExited`: the task failed to start
 *   (`TaskFailedToStart`: image pull, secrets, ENI), was interrupted (`SpotInterruption`,
 *   `TerminationNotice`) or stopped by someone (`UserInitiated`), whatever the exit codes;
 * - a container that exited with a code other than 0: the job failed, was killed
 *   (137: out of memory), or never started because MySQL did not become healthy within
 *   its `startTimeout` (the ECS agent gives the waiting container 143);
 * - no container with an exit code at all.
 *
 * EventBridge flattens the `containers` array, so `exitCode` matches if any container has
 * the code; nothing here relies on two fields of the same container being matched together.
 */
export function failedRunPattern(family: TaskFamily): events.EventPattern {
  return taskStateChange(family, {
    lastStatus: ['STOPPED'],
    $or: [
      { stopCode: [{ 'anything-but': 'EssentialContainerExited' }] },
      { containers: { exitCode: [{ 'anything-but': 0 }] } },
      { containers: { exitCode: [{ exists: false }] } },
    ],
  });
}

function taskStateChange(family: TaskFamily, detail: Record<string, unknown>): events.EventPattern {
  return {
    source: ['aws.ecs'],
    detailType: ['ECS Task State Change'],
    detail: {
      clusterArn: [family.clusterArn],
      taskDefinitionArn: [{ prefix: family.taskDefinitionPrefix }],
      ...detail,
    },
  };
}

/**
 * A rule target that publishes to `topic` and leaves its policy alone: the construct
 * writes a statement scoped to the rule itself (`failureTopicStatements`) instead of the
 * unconditioned one `events-targets.SnsTopic` adds.
 */
export function publishTo(topic: sns.ITopic, message: events.RuleTargetInput): events.IRuleTarget {
  return { bind: () => ({ arn: topic.topicArn, input: message }) };
}

/**
 * What the failure topic's policy must allow: EventBridge publishing for these rules
 * only, and CloudWatch publishing for these alarms of this account only.
 */
export function failureTopicStatements(topicArn: string, rules: events.IRule[], alarms: cloudwatch.IAlarm[]): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'FailedRunsFromEventBridge',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topicArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rules.map((r) => r.ruleArn) } },
    }),
    alarmsMayPublish(topicArn, alarms),
  ];
}

/** The period of the schedule's metrics in the alarms. */
export const ALARM_PERIOD = Duration.minutes(5);

/** A metric of an EventBridge rule on the default bus, summed. */
export function eventsMetric(metricName: string, ruleName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName,
    dimensionsMap: { RuleName: ruleName },
    statistic: 'Sum',
    period: ALARM_PERIOD,
  });
}
