import * as events from 'aws-cdk-lib/aws-events';

/**
 * What a ScheduledFargateEtl watches to tell a person that a run failed: the ECS events
 * of its task family.
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
