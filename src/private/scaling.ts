import { Duration, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { checkScheduleExpression } from './schedule-expression';
import { checkDuration, checkInteger, checkLiteral, invalid } from './validation';
import { ScheduledCapacity, ServiceScalingOptions } from '../common/scaling-options';

/** What a construct decides for the scaling options it does not get. */
export interface ScalingDefaults {
  /** The construct's default `maxCapacity` (raised to `minCapacity` if that is larger). */
  readonly maxCapacity: number;
}

/** The alarm thresholds of the fast scale-out steps (+50% from the first, +100% from the second). */
export interface FastScaleOutThresholds {
  readonly cpuPercent: number;
  readonly cpuPercentHigh: number;
  readonly requestsPerTarget?: number;
  readonly requestsPerTargetHigh?: number;
}

/** The resolved options with defaults applied. */
export interface ResolvedScaling {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly cpuTargetPercent: number;
  readonly memoryTargetPercent?: number;
  readonly requestsPerTarget?: number;
  readonly fastScaleOut: boolean;
  readonly scaleOutCooldown: Duration;
  readonly scaleInCooldown: Duration;
  readonly schedules: ScheduledCapacity[];
}

/**
 * Checks a list of schedule windows: their ids (they become construct ids and scheduled
 * action names: a letter first, then letters, digits and "-"; each id once) and their
 * expressions (what Application Auto Scaling and EventBridge Scheduler accept: rate, cron, at).
 */
export function checkScheduleWindows(
  path: string, prop: string, schedules: ReadonlyArray<{ readonly id: string; readonly schedule: { readonly expressionString: string } }>,
): void {
  const seen = new Set<string>();
  schedules.forEach((s, i) => {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(s.id)) {
      invalid(path, `${prop}[${i}].id`, s.id, 'must start with a letter and contain only letters, digits and "-"');
    }
    if (seen.has(s.id)) {
      invalid(path, `${prop}[${i}].id`, s.id, `must be unique among the ${prop}`);
    }
    seen.add(s.id);
    checkScheduleExpression(path, `${prop}[${i}].schedule`, s.schedule.expressionString, ['rate', 'cron', 'at']);
  });
}

/** Applies the defaults and checks every value; `prop` is how the construct calls the options. */
export function resolveScaling(path: string, prop: string, options: ServiceScalingOptions = {}, defaults: ScalingDefaults): ResolvedScaling {
  const minCapacity = checkInteger(path, `${prop}.minCapacity`, options.minCapacity, { min: 0 }) ?? 1;
  const maxCapacity = checkInteger(path, `${prop}.maxCapacity`, options.maxCapacity, { min: 1 }) ?? Math.max(defaults.maxCapacity, minCapacity);
  if (!Token.isUnresolved(minCapacity) && !Token.isUnresolved(maxCapacity) && maxCapacity < minCapacity) {
    invalid(path, `${prop}.maxCapacity`, maxCapacity, `must be at least ${prop}.minCapacity (${minCapacity})`);
  }
  const percent = { min: 1, max: 100 };
  const cpuTargetPercent = checkInteger(path, `${prop}.cpuTargetPercent`, options.cpuTargetPercent, percent) ?? 50;
  const memoryTargetPercent = checkInteger(path, `${prop}.memoryTargetPercent`, options.memoryTargetPercent, percent);
  const requestsPerTarget = checkInteger(path, `${prop}.requestsPerTarget`, options.requestsPerTarget, { min: 1 });
  const fastScaleOut = options.fastScaleOut ?? true;
  if (fastScaleOut) {
    const why = `the thresholds of the fast scale-out steps are computed from it (or set ${prop}.fastScaleOut to false)`;
    checkLiteral(path, `${prop}.cpuTargetPercent`, options.cpuTargetPercent, why);
    checkLiteral(path, `${prop}.requestsPerTarget`, options.requestsPerTarget, why);
  }
  // Application Auto Scaling takes cooldowns in whole seconds
  checkDuration(path, `${prop}.scaleOutCooldown`, options.scaleOutCooldown, { min: 0 });
  checkDuration(path, `${prop}.scaleInCooldown`, options.scaleInCooldown, { min: 0 });

  const schedules = options.schedules ?? [];
  checkScheduleWindows(path, `${prop}.schedules`, schedules);
  schedules.forEach((s, i) => {
    const at = `${prop}.schedules[${i}]`;
    if (s.minCapacity === undefined && s.maxCapacity === undefined) {
      // From Python, a dict in a list arrives without its snake_case keys: jsii converts a
      // dict to the struct only where the parameter is one, and the kernel drops the keys a
      // struct does not declare (min_capacity), leaving a schedule that sets nothing.
      invalid(path, at, s.id, 'must set minCapacity, maxCapacity or both '
        + '(from Python, write the items of the list as ScheduledCapacity(...): jsii drops the keys of a dict inside a list)');
    }
    checkInteger(path, `${at}.minCapacity`, s.minCapacity, { min: 0 });
    checkInteger(path, `${at}.maxCapacity`, s.maxCapacity, { min: 1 });
    if (s.minCapacity !== undefined && s.maxCapacity !== undefined && s.maxCapacity < s.minCapacity) {
      invalid(path, `${at}.maxCapacity`, s.maxCapacity, `must be at least ${at}.minCapacity (${s.minCapacity})`);
    }
    if (s.minCapacity !== undefined && s.maxCapacity === undefined && s.minCapacity > maxCapacity) {
      invalid(path, `${at}.minCapacity`, s.minCapacity,
        `must not exceed ${prop}.maxCapacity (${maxCapacity}) unless the schedule also sets maxCapacity`);
    }
  });

  return {
    minCapacity,
    maxCapacity,
    cpuTargetPercent,
    memoryTargetPercent,
    requestsPerTarget,
    fastScaleOut,
    scaleOutCooldown: options.scaleOutCooldown ?? Duration.seconds(60),
    scaleInCooldown: options.scaleInCooldown ?? Duration.seconds(300),
    schedules,
  };
}

/**
 * Where the fast scale-out steps start: CPU 30 points above the target, capped at 90%
 * but always at least 5 points above the target, and 95% (or 5 points higher) for the
 * second step; requests at 1.5 and 3 times the target.
 */
export function fastScaleOutThresholds(scaling: ResolvedScaling): FastScaleOutThresholds {
  const target = scaling.cpuTargetPercent;
  const cpuPercent = Math.max(Math.min(target + 30, 90), target + 5);
  const requests = scaling.requestsPerTarget;
  return {
    cpuPercent,
    cpuPercentHigh: Math.max(95, cpuPercent + 5),
    requestsPerTarget: requests !== undefined ? Math.ceil(requests * 1.5) : undefined,
    requestsPerTargetHigh: requests !== undefined ? requests * 3 : undefined,
  };
}

/**
 * Auto scaling of a Fargate service: the scalable target with its bounds, target
 * tracking, the fast scale-out steps and the scheduled windows.
 *
 * `targetGroup` is needed for request-based scaling.
 */
export function applyServiceScaling(
  service: ecs.FargateService,
  scaling: ResolvedScaling,
  targetGroup?: elbv2.ApplicationTargetGroup,
): ecs.ScalableTaskCount {
  const taskCount = service.autoScaleTaskCount({ minCapacity: scaling.minCapacity, maxCapacity: scaling.maxCapacity });
  const cooldowns = { scaleInCooldown: scaling.scaleInCooldown, scaleOutCooldown: scaling.scaleOutCooldown };

  taskCount.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: scaling.cpuTargetPercent, ...cooldowns });
  if (scaling.memoryTargetPercent !== undefined) {
    taskCount.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: scaling.memoryTargetPercent, ...cooldowns });
  }
  if (scaling.requestsPerTarget !== undefined) {
    if (!targetGroup) {
      throw new Error('requestsPerTarget needs a target group');
    }
    taskCount.scaleOnRequestCount('RequestScaling', { requestsPerTarget: scaling.requestsPerTarget, targetGroup, ...cooldowns });
  }

  if (scaling.fastScaleOut) {
    const thresholds = fastScaleOutThresholds(scaling);
    const cpu = service.metricCpuUtilization({ period: Duration.minutes(1) });
    addSpikeScaling(taskCount, 'CpuSpikeScaling', cpu, { from: thresholds.cpuPercent, doubleFrom: thresholds.cpuPercentHigh, cooldown: scaling.scaleOutCooldown });
    if (thresholds.requestsPerTarget !== undefined && thresholds.requestsPerTargetHigh !== undefined && targetGroup) {
      addSpikeScaling(taskCount, 'RequestSpikeScaling', targetGroup.metrics.requestCountPerTarget({ period: Duration.minutes(1), statistic: 'Sum' }),
        { from: thresholds.requestsPerTarget, doubleFrom: thresholds.requestsPerTargetHigh, cooldown: scaling.scaleOutCooldown });
    }
  }

  for (const window of scaling.schedules) {
    taskCount.scaleOnSchedule(window.id, {
      schedule: window.schedule,
      minCapacity: window.minCapacity,
      maxCapacity: window.maxCapacity,
      timeZone: window.timeZone,
    });
  }
  return taskCount;
}

/** Where a spike step starts: +50% tasks from `from`, +100% from `doubleFrom`, then no other step for `cooldown`. */
export interface SpikeSteps {
  readonly from: number;
  readonly doubleFrom: number;
  readonly cooldown: Duration;
}

/**
 * Step scaling on a single datapoint of `metric` (its period is the alarm's): +50% tasks
 * (at least one) from `steps.from`, +100% from `steps.doubleFrom`. Scale-out only: target
 * tracking brings the count back down.
 */
export function addSpikeScaling(taskCount: ecs.ScalableTaskCount, id: string, metric: cloudwatch.IMetric, steps: SpikeSteps): void {
  taskCount.scaleOnMetric(id, {
    metric,
    scalingSteps: [
      { upper: steps.from, change: 0 },
      { lower: steps.from, change: 50 },
      { lower: steps.doubleFrom, change: 100 },
    ],
    adjustmentType: appscaling.AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
    minAdjustmentMagnitude: 1,
    cooldown: steps.cooldown,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  });
}
