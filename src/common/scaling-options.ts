import { Duration, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';

/**
 * A window with its own task count bounds, for example to pre-warm a service
 * before a known rush.
 */
export interface ScheduledCapacity {
  /**
   * Names the scheduled action; unique within the construct (it is part of the construct id).
   */
  readonly id: string;

  /**
   * When the bounds change, for example `Schedule.cron({ hour: '8', minute: '50' })`.
   */
  readonly schedule: appscaling.Schedule;

  /**
   * The new minimum number of tasks.
   *
   * @default - the minimum is not changed
   */
  readonly minCapacity?: number;

  /**
   * The new maximum number of tasks.
   *
   * @default - the maximum is not changed
   */
  readonly maxCapacity?: number;

  /**
   * The time zone of `schedule`.
   *
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
}

/**
 * How a Fargate service scales out and in.
 *
 * Target tracking on CPU (and, when set, memory and requests per target) keeps the
 * service near its targets. Its alarms need three one-minute datapoints, so for a
 * sudden spike the construct also adds step scaling on a single one-minute datapoint
 * (`fastScaleOut`), which reacts about two minutes sooner.
 */
export interface ServiceScalingOptions {
  /**
   * The lowest number of tasks.
   *
   * @default 1
   */
  readonly minCapacity?: number;

  /**
   * The highest number of tasks, at least `minCapacity`.
   *
   * @default - construct-specific, see the construct's `scaling` prop
   */
  readonly maxCapacity?: number;

  /**
   * Target tracking on the service's average CPU utilization, in percent.
   *
   * @default 50
   */
  readonly cpuTargetPercent?: number;

  /**
   * Target tracking on the service's average memory utilization, in percent.
   *
   * @default - no memory tracking
   */
  readonly memoryTargetPercent?: number;

  /**
   * Target tracking on the load balancer's requests per target and minute.
   *
   * @default - no request tracking
   */
  readonly requestsPerTarget?: number;

  /**
   * Adds step scaling that reacts to a single one-minute datapoint, next to target
   * tracking (whose alarms wait for three): +50% tasks (at least one) when CPU is 30
   * points above `cpuTargetPercent` (capped at 90%), +100% from 95%; and, with
   * `requestsPerTarget`, +50% at 1.5 times and +100% at 3 times that many requests.
   *
   * @default true
   */
  readonly fastScaleOut?: boolean;

  /**
   * The time after a scale-out before another scale-out activity can start.
   *
   * @default Duration.seconds(60)
   */
  readonly scaleOutCooldown?: Duration;

  /**
   * The time after a scale-in before another scale-in activity can start.
   *
   * @default Duration.seconds(300)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * Windows with other bounds, for example to pre-warm before a known rush.
   *
   * @default - none
   */
  readonly schedules?: ScheduledCapacity[];
}

