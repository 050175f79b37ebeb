import { Annotations, Aws, Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ALARM_PERIOD, eventsMetric, failedRunPattern, failureTopicStatements, publishTo, TaskFamily } from './failure-signals';
import { createRunStateMachine, MAX_RUNTIME_LIMIT } from './run-state-machine';
import { FargateNetworkProps } from '../common/network-props';
import { FargateTaskProps } from '../common/task-props';
import { addToTopicPolicy } from '../private/alarm-topic';
import { ResolvedFargateSize, resolveFargateSize } from '../private/fargate-sizing';
import { acknowledgeNagFinding, wildcardResourceFinding } from '../private/nag';
import { checkTaskSubnets, defaultTaskSubnets, inPublicSubnets, resolveCluster, resolveVpc } from '../private/network';
import { checkScheduleExpression } from '../private/schedule-expression';
import { servicePrincipalFor } from '../private/service-principal';
import { checkEnvironmentSize, checkSpotArchitecture, createFargateTask, FargateTask, resolveCpuArchitecture } from '../private/task';
import { checkConstructId, checkDuration, checkEmailAddress, checkInteger, checkLiteral, describe, fitted, invalid } from '../private/validation';

/** The MySQL image the sidecar runs unless told otherwise: the official image, 8.4 LTS, from ECR Public. */
const DEFAULT_MYSQL_IMAGE = 'public.ecr.aws/docker/library/mysql:8.4';
/**
 * The construct's own VPC: public subnets only, no NAT gateway. The task gets a public
 * IP for its outbound calls (images, logs, secrets, AWS APIs) and a security group
 * that admits nothing, so nothing outside can reach it; a NAT gateway, or interface
 * endpoints for ECR, CloudWatch Logs and Secrets Manager, would cost money every hour.
 */
const OWN_VPC_SUBNETS: ec2.SubnetConfiguration[] = [
  // the public subnets of the VPC the construct created before (two /18 of 10.0.0.0/16),
  // at the same addresses: an update keeps them instead of creating overlapping ones
  { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 18 },
  // the address space of the private subnets it had, kept free
  { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 18, reserved: true },
];
/** How long a run may take unless `maxRuntime` says otherwise. */
const DEFAULT_MAX_RUNTIME = Duration.hours(24);

/**
 * How long the job waits for MySQL to become healthy before the run is given up: the
 * most Fargate allows (2 to 120 seconds, ContainerDefinition StartTimeout). The health
 * check declares MySQL unhealthy after 90 seconds (40 s start period, 10 checks 5 s
 * apart), within it; a first start that initializes the data directory takes well under that.
 */
const MYSQL_START_TIMEOUT = Duration.seconds(120);

/**
 * A MySQL database that lives next to the job, in the same task, for the duration of
 * one run.
 */
export interface MysqlSidecarOptions {
  /**
   * The database created when the sidecar starts; the job gets its name in `DB_DATABASE`.
   */
  readonly databaseName: string;

  /**
   * The user the job connects as (`DB_USER`); its password is generated in Secrets
   * Manager and reaches the job as the secret `DB_PASSWORD`.
   *
   * @default 'etl'
   */
  readonly username?: string;

  /**
   * The MySQL image.
   *
   * @default - the official MySQL 8.4 LTS image, `public.ecr.aws/docker/library/mysql:8.4`
   */
  readonly image?: ecs.ContainerImage;

  /**
   * Extra arguments for `mysqld`, for example `['--innodb-buffer-pool-size=1G']`.
   *
   * @default - none
   */
  readonly mysqldArguments?: string[];
}

/**
 * Properties of a `ScheduledFargateEtl`.
 */
export interface ScheduledFargateEtlProps extends FargateTaskProps, FargateNetworkProps {
  // ---------------------------------------------------------------- when

  /**
   * When the job runs, for example `events.Schedule.cron({ day: '1', hour: '4', minute: '0' })`
   * for 04:00 on the first day of every month (UTC unless `timeZone` is set).
   */
  readonly schedule: events.Schedule;

  /**
   * The time zone of a cron `schedule`. With a time zone, the job is scheduled by
   * EventBridge Scheduler instead of an EventBridge rule (rules only know UTC), with
   * the same retries, dead-letter queue and failure handling.
   *
   * @default - UTC, through an EventBridge rule
   */
  readonly timeZone?: TimeZone;

  /**
   * Whether the schedule is active.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * How many tasks each run starts, from 1 to 10.
   *
   * @default 1
   */
  readonly desiredTaskCount?: number;

  // ---------------------------------------------------------------- the job

  /**
   * The image of the job, for example `ecs.ContainerImage.fromEcrRepository(repo, 'v1')`.
   */
  readonly image: ecs.ContainerImage;

  /**
   * A bucket the job reads from and writes to: the task role may get, put, delete and
   * list its objects (and use its KMS key), and the job gets its name in `BUCKET_NAME`.
   *
   * @default - no bucket
   */
  readonly bucket?: s3.IBucket;

  /**
   * A MySQL database beside the job, in the same task: the job starts only when MySQL
   * answers, and reaches it at 127.0.0.1:3306 (`DB_HOST`, `DB_PORT`, `DB_DATABASE`,
   * `DB_USER`, and `DB_PASSWORD` as a secret). Its data is gone when the task stops.
   *
   * @default - no database
   */
  readonly mysqlSidecar?: MysqlSidecarOptions;

  /**
   * The role ECS uses to start the task: pull the images, write the logs, read the
   * secrets.
   *
   * @default - a role with exactly those permissions (no managed policy)
   */
  readonly executionRole?: iam.IRole;

  /**
   * The role of the job itself.
   *
   * @default - a new role with access to `bucket` only
   */
  readonly taskRole?: iam.IRole;

  // ---------------------------------------------------------------- where

  /**
   * The subnets of the task, for example private subnets with egress of your own VPC.
   * The task gets a public IP only in public subnets (there it has no other way out);
   * its security group admits no inbound traffic either way.
   *
   * @default - in the VPC the construct creates, its public subnets (no NAT gateway to
   * pay for); in a VPC given, its private subnets with egress
   */
  readonly subnetSelection?: ec2.SubnetSelection;

  /**
   * Run on Fargate Spot (up to 70% cheaper; a run may be interrupted, which counts as
   * a failure and is notified). A task that finds no capacity (Spot or not) is tried
   * again after 1, 2, 4 and 8 minutes before the run counts as failed. An imported
   * cluster must have the Fargate capacity providers. Fargate Spot runs x86 tasks only:
   * not with `ARM64`.
   *
   * @default false
   */
  readonly fargateSpot?: boolean;

  // ---------------------------------------------------------------- how long, how often

  /**
   * How long a run may take. A run still going then is stopped (its tasks get StopTask)
   * and reported to `failureTopic` as a timeout. From 1 minute to 8,759 hours (a Step
   * Functions Standard execution lasts at most a year; an hour is kept for the lookup,
   * the stop and the report).
   *
   * @default Duration.hours(24)
   */
  readonly maxRuntime?: Duration;

  /**
   * Whether a run starts while a previous run of the job is still going (another
   * execution of its state machine running, which may be waiting to try RunTask again,
   * or a task of its family starting or running in the cluster). When false, such a run
   * is not started and `failureTopic` is told that it was skipped.
   *
   * @default false
   */
  readonly allowOverlappingRuns?: boolean;

  // ---------------------------------------------------------------- failures

  /**
   * The topic notified when a run fails, outlives `maxRuntime`, is skipped or never
   * happens: the state machine reports a run that timed out, failed to start (RunTask
   * refused, or no Fargate capacity) or failed, and a run skipped because the previous
   * one was going; `failureRule` reports a task of the job that stops with an exit code
   * other than 0, fails to start or is interrupted; `failedInvocationsAlarm` a schedule
   * that cannot start the state machine; `deadLetterQueueAlarm` a run waiting in the
   * dead-letter queue; `abortedRunsAlarm` an execution stopped by someone or outliving
   * its own limit; `failedExecutionsAlarm` every execution that failed, also one that
   * could not report.
   *
   * A topic of the same stack gets two statements in its policy: EventBridge may publish
   * for `failureRule` only, CloudWatch for the construct's alarms only (its policy then
   * replaces SNS's default one, as any CDK-written topic policy does); the state machine's
   * role may publish by its own policy. A topic from elsewhere must allow the same itself
   * (`sns:Publish` for `events.amazonaws.com` with `aws:SourceArn` the rule, and for
   * `cloudwatch.amazonaws.com` with `aws:SourceArn` the alarms); the construct warns. An
   * encrypted topic's key must also let both services use it.
   *
   * @default - a new topic that only accepts TLS (subscribe to it, or use `notificationEmails`)
   */
  readonly failureTopic?: sns.ITopic;

  /**
   * Email addresses subscribed to the failure topic.
   *
   * @default - none
   */
  readonly notificationEmails?: string[];

  /**
   * How often the schedule retries starting the state machine after an error worth
   * retrying (throttling, a server error), from 0 to 185. Calls that AWS refuses outright
   * (a missing permission, a deleted state machine) are not retried: they go to the
   * dead-letter queue at once.
   *
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * How long the schedule keeps retrying to start the state machine (see
   * `retryAttempts`), from 1 minute to 24 hours.
   *
   * @default Duration.hours(2)
   */
  readonly maxEventAge?: Duration;

  /**
   * Where the schedule puts runs it could not start for good (retries exhausted, or
   * refused outright). A message in it notifies `failureTopic` (`deadLetterQueueAlarm`).
   *
   * @default - a new encrypted queue that keeps them 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * A job that runs on ECS Fargate on a schedule, for example an ETL run at 04:00 on
 * the first day of every month, and costs nothing between runs.
 *
 * The schedule starts a Step Functions state machine, which skips the run while the
 * previous one is still going (unless `allowOverlappingRuns`), runs the task and waits
 * for it, and stops it once it has run `maxRuntime`. Next to the job's container, an
 * optional MySQL sidecar provides a throwaway database in the same task (the job starts
 * only once MySQL answers); the job can be given a bucket to read and write,
 * environment variables and secrets. Failures are visible: a run that stops with an
 * exit code other than 0, a task that fails to start or is interrupted, a MySQL sidecar
 * that never becomes healthy, a run that outlived `maxRuntime` or was skipped, a
 * schedule that cannot start the run, and a run left in the dead-letter queue all
 * notify `failureTopic`.
 *
 * @exampleMetadata fixture=construct
 * @example
 * declare const repository: ecr.IRepository;
 * declare const bucket: s3.IBucket;
 *
 * new ScheduledFargateEtl(this, 'MonthlyEtl', {
 *   schedule: events.Schedule.cron({ day: '1', hour: '4', minute: '0' }),
 *   image: ecs.ContainerImage.fromEcrRepository(repository, 'v1'),
 *   ephemeralStorageGiB: 50,
 *   bucket,
 *   mysqlSidecar: { databaseName: 'my_database' },
 *   maxRuntime: Duration.hours(2),
 * });
 */
export class ScheduledFargateEtl extends Construct {
  /** The VPC the job runs in. */
  public readonly vpc: ec2.IVpc;
  /** The cluster the job runs in. */
  public readonly cluster: ecs.ICluster;
  /** The task definition of the job. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The job's container. */
  public readonly appContainer: ecs.ContainerDefinition;
  /**
   * The MySQL sidecar.
   *
   * @default - undefined without `mysqlSidecar`
   */
  public readonly mysqlContainer?: ecs.ContainerDefinition;
  /**
   * The secret with the MySQL user's name and password.
   *
   * @default - undefined without `mysqlSidecar`
   */
  public readonly mysqlSecret?: secretsmanager.ISecret;
  /** The security group of the task (no inbound rules). */
  public readonly securityGroup: ec2.SecurityGroup;
  /**
   * The EventBridge rule that starts the job (a schedule in UTC).
   *
   * @default - undefined with `timeZone` (see `schedulerSchedule`)
   */
  public readonly eventRule?: events.Rule;
  /**
   * The EventBridge Scheduler schedule that starts the job (a schedule in `timeZone`).
   *
   * @default - undefined without `timeZone` (see `eventRule`)
   */
  public readonly schedulerSchedule?: scheduler.Schedule;
  /** The rule that turns a failed run (a stopped task of the job) into a notification. */
  public readonly failureRule: events.Rule;
  /**
   * The Step Functions state machine (Standard) that the schedule starts: it skips a run
   * while the previous one is going, runs the tasks and waits for them, stops them after
   * `maxRuntime`, and reports skips, timeouts and failures to `failureTopic`.
   */
  public readonly stateMachine: sfn.StateMachine;
  /** The role of the state machine: this task definition family, this cluster, the task's two roles, the failure topic. */
  public readonly stateMachineRole: iam.Role;
  /** The alarm on schedule calls that could not start the state machine for good. */
  public readonly failedInvocationsAlarm: cloudwatch.Alarm;
  /** The alarm on runs waiting in the dead-letter queue (at least one message visible). */
  public readonly deadLetterQueueAlarm: cloudwatch.Alarm;
  /**
   * The alarm on executions of the state machine that ended without reporting: stopped
   * by someone (ExecutionsAborted), or past the execution's own limit, `maxRuntime` plus
   * an hour (ExecutionsTimedOut).
   */
  public readonly abortedRunsAlarm: cloudwatch.Alarm;
  /**
   * The alarm on executions of the state machine that failed: every run that failed, timed
   * out at `maxRuntime` or could not be looked up or reported. A failure the state machine
   * reported also raises it; one it could not report (an error no catch sees, a topic it
   * could not publish to) raises only it.
   */
  public readonly failedExecutionsAlarm: cloudwatch.Alarm;
  /** The role ECS uses to start the task. */
  public readonly executionRole: iam.IRole;
  /** The role of the job. */
  public readonly taskRole: iam.IRole;
  /** The topic notified of failures. */
  public readonly failureTopic: sns.ITopic;
  /** The queue of runs that could not be started. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The log group of the containers. */
  public readonly logGroup: logs.LogGroup;

  /** What the failed-invocations alarm watches: set by the schedule step. */
  private failedInvocations?: cloudwatch.IMetric;

  constructor(scope: Construct, id: string, props: ScheduledFargateEtlProps) {
    super(scope, id);
    checkConstructId(this);
    const settings = resolveEtlSettings(this.node.path, props);

    // network: a VPC of its own has public subnets only (no NAT gateway)
    this.vpc = resolveVpc(this, props, { natGateways: 0, subnetConfiguration: OWN_VPC_SUBNETS });
    const subnetSelection = props.subnetSelection ?? defaultTaskSubnets(props);
    checkTaskSubnets(this, this.vpc, props, { prop: 'subnetSelection', value: props.subnetSelection, default: subnetSelection });
    this.cluster = resolveCluster(this, this.vpc, props);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: fitted(`Task of ${this.node.path}: no inbound traffic`, 255),
      allowAllOutbound: true,
    });

    // the task
    this.executionRole = props.executionRole
      ?? this.ecsTasksRole('ExecutionRole', `Starts the tasks of ${this.node.path}: pulls the images, writes the logs, reads the secrets`);
    this.taskRole = props.taskRole ?? this.ecsTasksRole('TaskRole', `The job ${this.node.path}`);
    const cpuArchitecture = resolveCpuArchitecture(this.node.path, props.cpuArchitecture,
      { 'image': props.image, 'mysqlSidecar.image': props.mysqlSidecar?.image }, ecs.CpuArchitecture.X86_64);
    checkSpotArchitecture(this.node.path, props, cpuArchitecture);
    const task = createFargateTask(this, {
      ...props,
      size: settings.size,
      cpuArchitecture,
      executionRole: this.executionRole,
      taskRole: this.taskRole,
    });
    this.taskDefinition = task.taskDefinition;
    this.logGroup = task.logGroup;
    const job = this.jobEnvironment(props);
    if (props.mysqlSidecar) {
      this.mysqlSecret = this.createMysqlSecret(props.mysqlSidecar);
      this.mysqlContainer = this.addMysqlSidecar(task, props.mysqlSidecar, this.mysqlSecret, job);
    }
    this.appContainer = this.addJobContainer(task, props, job);

    // failures
    this.failureTopic = props.failureTopic ?? this.createFailureTopic(props.notificationEmails);
    this.deadLetterQueue = props.deadLetterQueue ?? new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // the run: a state machine between the schedule and ECS
    const run = createRunStateMachine(this, {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      securityGroup: this.securityGroup,
      subnetSelection,
      assignPublicIp: inPublicSubnets(this.vpc, subnetSelection),
      taskCount: settings.desiredTaskCount,
      fargateSpot: props.fargateSpot ?? false,
      maxRuntime: settings.maxRuntime,
      allowOverlappingRuns: props.allowOverlappingRuns ?? false,
      failureTopic: this.failureTopic,
      passRoles: [this.executionRole, this.taskRole],
      jobName: `${this.node.path} (task definition family ${this.taskDefinition.family})`,
    });
    this.stateMachine = run.stateMachine;
    this.stateMachineRole = run.role;

    // the schedule
    const target: ScheduleTarget = { retryAttempts: settings.retryAttempts, maxEventAge: settings.maxEventAge };
    if (props.timeZone) {
      this.schedulerSchedule = this.scheduleInTimeZone(props.schedule, props.timeZone, props.enabled, target);
    } else {
      this.eventRule = this.scheduleInUtc(props.schedule, props.enabled, target);
    }
    // the first run due may come right after the deployment: the state machine's overlap check
    // needs its permission by then
    (this.schedulerSchedule ?? this.eventRule!).node.addDependency(...run.readyToStart);

    // alarms and notifications
    this.failedInvocationsAlarm = this.alarm('FailedInvocationsAlarm', this.failedInvocations!,
      `The schedule of ${this.node.path} could not start its state machine (see the dead-letter queue)`);
    this.deadLetterQueueAlarm = this.alarm('DeadLetterQueueAlarm',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      `Runs of ${this.node.path} that the schedule could not start wait in the dead-letter queue: read them, fix the cause, then purge or redrive the queue`);
    this.abortedRunsAlarm = this.alarm('AbortedRunsAlarm', new cloudwatch.MathExpression({
      expression: 'FILL(aborted, 0) + FILL(timedOut, 0)',
      usingMetrics: {
        aborted: this.stateMachine.metricAborted({ period: ALARM_PERIOD, statistic: 'Sum' }),
        timedOut: this.stateMachine.metricTimedOut({ period: ALARM_PERIOD, statistic: 'Sum' }),
      },
      label: 'Runs that ended without a report',
      period: ALARM_PERIOD,
    }), `A run of ${this.node.path} was stopped by someone, or outlived maxRuntime plus an hour, before it could report: see the state machine's executions`);
    // every execution that failed, reported or not: an error no catch sees (States.Runtime,
    // a report that could not be published after its retries) ends the execution FAILED too
    this.failedExecutionsAlarm = this.alarm('FailedExecutionsAlarm',
      this.stateMachine.metricFailed({ period: ALARM_PERIOD, statistic: 'Sum' }),
      `A run of ${this.node.path} failed: its report on this topic says why; without a report, the state machine's execution history does`);
    this.failureRule = this.notifyFailedRuns();
    this.allowPublishingToFailureTopic();
    this.acknowledgeNagFindings(props);
  }

  /** A role that ECS tasks assume. */
  private ecsTasksRole(id: string, description: string): iam.Role {
    return new iam.Role(this, id, { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'), description });
  }

  /** The job's environment and secrets: the user's, plus what the bucket and the sidecar set. */
  private jobEnvironment(props: Pick<ScheduledFargateEtlProps, 'environment' | 'secrets' | 'bucket'>): JobEnvironment {
    const job: JobEnvironment = { environment: { ...props.environment }, secrets: { ...props.secrets } };
    if (props.bucket) {
      job.environment.BUCKET_NAME = props.bucket.bucketName;
      this.grantBucketReadWrite(props.bucket);
    }
    return job;
  }

  /** The generated password of the sidecar's database user, in Secrets Manager. */
  private createMysqlSecret(sidecar: MysqlSidecarOptions): secretsmanager.Secret {
    return new secretsmanager.Secret(this, 'MysqlCredentials', {
      description: `MySQL user of ${this.node.path}, for the database that lives one task run`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: sidecar.username ?? 'etl' }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
    });
  }

  /**
   * MySQL beside the job: essential, healthy once it answers on 127.0.0.1:3306, with the
   * job's connection settings added to `job`.
   */
  private addMysqlSidecar(
    task: FargateTask, sidecar: MysqlSidecarOptions, secret: secretsmanager.ISecret, job: JobEnvironment,
  ): ecs.ContainerDefinition {
    const username = sidecar.username ?? 'etl';
    const password = ecs.Secret.fromSecretsManager(secret, 'password');
    const container = task.taskDefinition.addContainer('mysql', {
      containerName: 'mysql',
      image: sidecar.image ?? ecs.ContainerImage.fromRegistry(DEFAULT_MYSQL_IMAGE),
      essential: true,
      command: sidecar.mysqldArguments,
      environment: { MYSQL_DATABASE: sidecar.databaseName, MYSQL_USER: username },
      secrets: { MYSQL_PASSWORD: password, MYSQL_ROOT_PASSWORD: password },
      portMappings: [{ containerPort: 3306, protocol: ecs.Protocol.TCP }],
      // answers over TCP only once the entrypoint's initialization is done
      healthCheck: {
        command: ['CMD-SHELL', 'mysqladmin ping --host=127.0.0.1 --port=3306 --silent || exit 1'],
        interval: Duration.seconds(5),
        timeout: Duration.seconds(5),
        // ECS allows 1 to 10 retries: 10 x 5 s after a 40 s start period, as long as 12 after 30 s
        retries: 10,
        startPeriod: Duration.seconds(40),
      },
      // ECS reads the timeout of a dependency on the container depended on: if MySQL is not
      // healthy this long after it started, the job gives up, the task stops (the agent gives
      // the job exit code 143) and the failure rule notifies; without it the run would hang
      startTimeout: MYSQL_START_TIMEOUT,
      // time to shut down cleanly when the job has finished
      stopTimeout: Duration.seconds(60),
      logging: task.logDriver('mysql'),
    });
    Object.assign(job.environment, sidecarEnvironment(sidecar));
    job.secrets.DB_PASSWORD = password;
    return container;
  }

  /** The job's container, started once MySQL (when there is one) is healthy. */
  private addJobContainer(task: FargateTask, props: Pick<ScheduledFargateEtlProps, 'image' | 'command'>, job: JobEnvironment): ecs.ContainerDefinition {
    const container = task.taskDefinition.addContainer('app', {
      containerName: 'app',
      image: props.image,
      essential: true,
      command: props.command,
      environment: job.environment,
      secrets: job.secrets,
      logging: task.logDriver('app'),
    });
    if (this.mysqlContainer) {
      container.addContainerDependencies({ container: this.mysqlContainer, condition: ecs.ContainerDependencyCondition.HEALTHY });
    }
    return container;
  }

  /** The topic the construct creates: TLS only, with the email subscriptions asked for. */
  private createFailureTopic(notificationEmails: string[] = []): sns.Topic {
    // SNS display names are at most 100 characters
    const topic = new sns.Topic(this, 'FailureTopic', { displayName: fitted(`Failed runs of ${this.node.path}`, 100), enforceSSL: true });
    for (const email of notificationEmails) {
      topic.addSubscription(new snsSubscriptions.EmailSubscription(email));
    }
    return topic;
  }

  /**
   * An EventBridge Scheduler schedule in the time zone given, in a group of its own (its
   * metrics are the schedule's). The group holds no data: it goes with the stack, so that
   * a redeploy after a destroy or a rolled-back create does not find its name taken.
   */
  private scheduleInTimeZone(
    schedule: events.Schedule, timeZone: TimeZone, enabled: boolean | undefined, target: ScheduleTarget,
  ): scheduler.Schedule {
    const group = new scheduler.ScheduleGroup(this, 'ScheduleGroup', { removalPolicy: RemovalPolicy.DESTROY });
    const sum = { period: ALARM_PERIOD, statistic: 'Sum' };
    // what is lost for good, not TargetErrorCount, which counts attempts a retry may still
    // turn into a run (https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html):
    // sent to the dead-letter queue (retries exhausted, or refused outright), not even that,
    // or dropped. Each series is empty when nothing happened: without FILL, the sum is empty too
    this.failedInvocations = new cloudwatch.MathExpression({
      expression: 'FILL(sentToDlq, 0) + FILL(failedToDlq, 0) + FILL(dropped, 0)',
      usingMetrics: {
        sentToDlq: group.metricSentToDLQ(sum),
        failedToDlq: group.metricFailedToBeSentToDLQ(undefined, sum),
        dropped: group.metricDropped(sum),
      },
      label: 'Runs the schedule could not start',
      period: ALARM_PERIOD,
    });
    return new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.expression(schedule.expressionString, timeZone),
      scheduleGroup: group,
      enabled: enabled ?? true,
      description: `Runs ${this.node.path}`,
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        retryAttempts: target.retryAttempts,
        maxEventAge: target.maxEventAge,
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
  }

  /** An EventBridge rule (UTC) that starts the state machine. */
  private scheduleInUtc(schedule: events.Schedule, enabled: boolean | undefined, target: ScheduleTarget): events.Rule {
    const rule = new events.Rule(this, 'Schedule', {
      schedule,
      enabled: enabled ?? true,
      description: `Runs ${this.node.path}`,
      targets: [new eventsTargets.SfnStateMachine(this.stateMachine, {
        role: this.ruleRole(),
        retryAttempts: target.retryAttempts,
        maxEventAge: target.maxEventAge,
        deadLetterQueue: this.deadLetterQueue,
      })],
    });
    this.failedInvocations = eventsMetric('FailedInvocations', rule.ruleName);
    return rule;
  }

  /**
   * The role the rule starts the state machine with: EventBridge may assume it only for a
   * rule of this account (confused deputy: `aws:SourceArn` is the rule's ARN and
   * `aws:SourceAccount` its account,
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html). The
   * rule names the role, so naming the rule itself in the role would be a cycle.
   */
  private ruleRole(): iam.Role {
    return new iam.Role(this, 'ScheduleRole', {
      description: `Starts the state machine of ${this.node.path} on its schedule`,
      assumedBy: servicePrincipalFor(this, 'events.amazonaws.com', { service: 'events', resource: 'rule', resourceName: '*' }),
    });
  }

  /** An alarm that notifies the failure topic once `metric` reaches 1 in a period. */
  private alarm(id: string, metric: cloudwatch.IMetric, alarmDescription: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.failureTopic));
    return alarm;
  }

  /** The tasks of this job, as ECS Task State Change events name them: its cluster, its family. */
  private taskFamily(): TaskFamily {
    return {
      clusterArn: this.cluster.clusterArn,
      taskDefinitionPrefix: Stack.of(this).formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${this.taskDefinition.family}:` }),
    };
  }

  /**
   * A run failed when a task of this family stops without completing: see
   * `failedRunPattern` for the stop codes and exit codes that say so.
   */
  private notifyFailedRuns(): events.Rule {
    const family = this.taskDefinition.family;
    const rule = new events.Rule(this, 'FailedRun', {
      description: `Failed runs of ${this.node.path}`,
      eventPattern: failedRunPattern(this.taskFamily()),
    });
    // a JSON message: the containers (names, exit codes, reasons) stay valid JSON
    rule.addTarget(publishTo(this.failureTopic, events.RuleTargetInput.fromObject({
      failed: `Run of ${family} in ${Aws.REGION}`,
      task: events.EventField.fromPath('$.detail.taskArn'),
      stopCode: events.EventField.fromPath('$.detail.stopCode'),
      stoppedReason: events.EventField.fromPath('$.detail.stoppedReason'),
      stoppedAt: events.EventField.fromPath('$.detail.stoppedAt'),
      containers: events.EventField.fromPath('$.detail.containers'),
    })));
    return rule;
  }

  /**
   * Lets EventBridge (for the failure rule) and CloudWatch (for the alarms) publish to the
   * failure topic when the construct can write its policy; otherwise says what it must allow.
   */
  private allowPublishingToFailureTopic(): void {
    const alarms = [this.failedInvocationsAlarm, this.deadLetterQueueAlarm, this.abortedRunsAlarm, this.failedExecutionsAlarm];
    const statements = failureTopicStatements(this.failureTopic.topicArn, [this.failureRule], alarms);
    if (!addToTopicPolicy(this, this.failureTopic, statements)) {
      Annotations.of(this).addWarningV2('cdk-fargate-blueprints:etl.failureTopicPolicy',
        'failureTopic is not a topic of this stack, so its policy is left alone: it must allow sns:Publish for events.amazonaws.com '
        + '(aws:SourceArn: failureRule) and for cloudwatch.amazonaws.com (aws:SourceArn: failedInvocationsAlarm, deadLetterQueueAlarm, abortedRunsAlarm, failedExecutionsAlarm), '
        + 'and, in another account, for stateMachineRole (timeouts, skips and failed starts), or failed runs reach nobody.');
    }
  }

  /** Get, put, delete and list on exactly this bucket's objects (and its KMS key). */
  private grantBucketReadWrite(bucket: s3.IBucket): void {
    this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [bucket.bucketArn],
    }));
    this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects('*')],
    }));
    // what SSE-KMS needs to read (Decrypt) and write (GenerateDataKey) objects, nothing more
    bucket.encryptionKey?.grant(this.taskRole, 'kms:Decrypt', 'kms:GenerateDataKey');
    if (this.taskRole instanceof iam.Role && Stack.of(bucket) === Stack.of(this)) {
      acknowledgeNagFinding(this.taskRole, wildcardResourceFinding(this, bucket.arnForObjects('*')),
        'The job reads and writes the objects of the bucket it was given; object keys are not known in advance.');
    }
  }

  /** The cdk-nag findings this construct accepts by design, each with its reason. */
  private acknowledgeNagFindings(props: Pick<ScheduledFargateEtlProps, 'executionRole' | 'deadLetterQueue' | 'environment'>): void {
    if (!props.executionRole) {
      acknowledgeNagFinding(this.executionRole, 'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken, needed to pull from ECR, supports no resource-level permissions.');
    }
    if (this.mysqlSecret) {
      acknowledgeNagFinding(this.mysqlSecret, 'AwsSolutions-SMG4',
        'The credentials of a database that exists only while one task runs; nothing outlives the run to rotate them for.');
    }
    if (!props.deadLetterQueue) {
      acknowledgeNagFinding(this.deadLetterQueue, 'AwsSolutions-SQS3',
        'This queue is the dead-letter queue of the schedule\'s target.');
    }
    if (Object.keys(props.environment ?? {}).length === 0) {
      acknowledgeNagFinding(this.taskDefinition, 'AwsSolutions-ECS2',
        'The construct sets only non-secret connection settings (bucket name, 127.0.0.1:3306, database and user names); passwords are ECS secrets.');
    }
  }
}

/** The job's environment variables and secrets, as the containers are added. */
interface JobEnvironment {
  readonly environment: { [name: string]: string };
  readonly secrets: { [name: string]: ecs.Secret };
}

/** How either kind of schedule starts the state machine: its retries (and the dead-letter queue). */
interface ScheduleTarget {
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

/** The props of a ScheduledFargateEtl, checked, with the defaults applied. */
interface EtlSettings {
  readonly size: ResolvedFargateSize;
  readonly desiredTaskCount: number;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly maxRuntime: Duration;
}

function resolveEtlSettings(path: string, props: ScheduledFargateEtlProps): EtlSettings {
  if (!props.schedule) {
    invalid(path, 'schedule', props.schedule, 'is required: when should the job run?');
  }
  if (!props.image) {
    invalid(path, 'image', props.image, 'is required: a schedule without a job to run starts nothing');
  }
  checkScheduleExpression(path, 'schedule', props.schedule.expressionString, ['rate', 'cron']);
  if (props.timeZone && !props.schedule.expressionString.startsWith('cron(')) {
    invalid(path, 'timeZone', props.timeZone.timezoneName,
      `only applies to cron schedules; ${props.schedule.expressionString} runs at fixed intervals in every time zone`);
  }
  const size = resolveFargateSize(path, props, { cpu: 1024, memoryAtLeast: 2048 });
  const desiredTaskCount = checkInteger(path, 'desiredTaskCount', props.desiredTaskCount, { min: 1, max: 10 }) ?? 1;
  const targetChecks = 'the EventBridge targets check it at synth time';
  checkLiteral(path, 'retryAttempts', props.retryAttempts, targetChecks);
  const retryAttempts = checkInteger(path, 'retryAttempts', props.retryAttempts, { min: 0, max: 185 }) ?? 3;
  const maxEventAge = props.maxEventAge ?? Duration.hours(2);
  checkDuration(path, 'maxEventAge', maxEventAge, { min: 60, max: 86400, literal: targetChecks });
  const maxRuntime = props.maxRuntime ?? DEFAULT_MAX_RUNTIME;
  // Step Functions takes TimeoutSeconds as a whole number; a Standard execution lasts at most a year
  checkDuration(path, 'maxRuntime', maxRuntime, { min: 60, max: MAX_RUNTIME_LIMIT.toSeconds(), literal: 'the state machine definition is written at synth time' });
  (props.notificationEmails ?? []).forEach((email, i) => checkEmailAddress(path, `notificationEmails[${i}]`, email));
  if (props.notificationEmails && props.failureTopic) {
    invalid(path, 'notificationEmails', props.notificationEmails, 'only subscribe to the topic the construct creates; subscribe them to the failureTopic you pass');
  }
  checkReservedEnvironment(path, props);
  checkEnvironmentSize(path, 'environment', props.environment);
  if (props.mysqlSidecar) {
    checkMysqlSidecar(path, props.mysqlSidecar);
  }
  return { size, desiredTaskCount, retryAttempts, maxEventAge, maxRuntime };
}

/**
 * The variables the construct sets itself: the user may set one too with the same value
 * (the design's own example sets DB_DATABASE next to mysqlSidecar), never a different one.
 */
function checkReservedEnvironment(path: string, props: Pick<ScheduledFargateEtlProps, 'environment' | 'secrets' | 'bucket' | 'mysqlSidecar'>): void {
  // value undefined: a secret, never a plain variable
  const reserved = new Map<string, { value?: string; from: string }>();
  if (props.bucket) {
    reserved.set('BUCKET_NAME', { value: props.bucket.bucketName, from: 'bucket (its name)' });
  }
  if (props.mysqlSidecar) {
    const sources: Record<string, string> = { DB_DATABASE: 'mysqlSidecar.databaseName', DB_USER: 'mysqlSidecar.username' };
    for (const [name, value] of Object.entries(sidecarEnvironment(props.mysqlSidecar))) {
      reserved.set(name, { value, from: `${sources[name] ?? 'mysqlSidecar'} ${describe(value)}` });
    }
    reserved.set('DB_PASSWORD', { from: 'mysqlSidecar (a generated secret)' });
  }
  for (const [name, value] of Object.entries(props.environment ?? {})) {
    const set = reserved.get(name);
    if (set && set.value === undefined) {
      invalid(path, `environment ${name}`, value, `is the secret the construct sets from ${set.from}; remove ${name} from environment`);
    }
    if (set && value !== set.value) {
      invalid(path, `environment ${name}`, value,
        `contradicts ${set.from}, from which the construct sets ${name}; remove ${name} from environment, or give both the same value`);
    }
  }
  for (const name of Object.keys(props.secrets ?? {})) {
    const set = reserved.get(name);
    if (set) {
      invalid(path, `secrets ${name}`, name, `is set by the construct from ${set.from}; remove it from secrets or rename it`);
    }
  }
}

/** The connection settings the job gets from the sidecar, by variable name. */
function sidecarEnvironment(sidecar: MysqlSidecarOptions): Record<string, string> {
  return { DB_HOST: '127.0.0.1', DB_PORT: '3306', DB_DATABASE: sidecar.databaseName, DB_USER: sidecar.username ?? 'etl' };
}

function checkMysqlSidecar(path: string, sidecar: MysqlSidecarOptions): void {
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(sidecar.databaseName) || /^\d+$/.test(sidecar.databaseName)) {
    invalid(path, 'mysqlSidecar.databaseName', sidecar.databaseName,
      'must be 1 to 64 letters, digits, "_" or "$", and not only digits (a MySQL database name without quoting)');
  }
  const username = sidecar.username;
  if (username !== undefined && (!/^[A-Za-z0-9_]{1,32}$/.test(username) || username.toLowerCase() === 'root')) {
    invalid(path, 'mysqlSidecar.username', username, 'must be 1 to 32 letters, digits or "_", and not root');
  }
}
