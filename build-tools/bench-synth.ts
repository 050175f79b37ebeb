/**
 * Synthesis time of each construct's default configuration next to the same
 * architecture written directly with aws-cdk-lib (aws-ecs-patterns), in one process,
 * alternating, after a warm-up; prints the median of each.
 *
 *   npx tsx build-tools/bench-synth.ts [rounds]     (default 15 rounds)
 *
 * Both sides synthesize the way a user's app does: today's recommended feature flags,
 * CloudFormation validation included, into a temporary directory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { LoadBalancedScalingService, ScheduledFargateEtl } from '../src';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/hello-app-runner:latest');
const ENV = { region: 'eu-west-1' };

/** A VPC as the library builds it: 2 AZs, 1 NAT, gateway endpoints, flow logs, restricted default SG. */
function handWrittenVpc(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: true });
  vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
  const flowLogGroup = new logs.LogGroup(stack, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH });
  vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup) });
  return vpc;
}

/** LoadBalancedScalingService's default architecture, written with ApplicationLoadBalancedFargateService. */
function handWrittenLoadBalancedService(stack: Stack): void {
  const vpc = handWrittenVpc(stack);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDefinition', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('web', {
    image: IMAGE,
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'web' }),
  });
  const pattern = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    minHealthyPercent: 100,
    circuitBreaker: { rollback: true },
  });
  pattern.loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
  const bucket = new s3.Bucket(stack, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  pattern.loadBalancer.logAccessLogs(bucket);
  pattern.targetGroup.configureHealthCheck({ path: '/', interval: Duration.seconds(10), healthyThresholdCount: 2 });
  pattern.targetGroup.setAttribute('deregistration_delay.timeout_seconds', '30');
  const scaling = pattern.service.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 4 });
  scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 50, scaleOutCooldown: Duration.seconds(60) });
  scaling.scaleOnMetric('CpuSpike', {
    metric: pattern.service.metricCpuUtilization({ period: Duration.minutes(1) }),
    scalingSteps: [{ upper: 80, change: 0 }, { lower: 80, change: 50 }, { lower: 95, change: 100 }],
    adjustmentType: appscaling.AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
    evaluationPeriods: 1,
  });
}

const MONTHLY = events.Schedule.cron({ day: '1', hour: '4', minute: '0' });

/** ScheduledFargateEtl's default architecture, written with ScheduledFargateTask. */
function handWrittenScheduledTask(stack: Stack): void {
  const vpc = handWrittenVpc(stack);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
  const executionRole = new iam.Role(stack, 'ExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const taskRole = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDefinition', { cpu: 1024, memoryLimitMiB: 2048, executionRole, taskRole });
  taskDefinition.addContainer('app', { image: IMAGE, logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'app' }) });
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
  const task = new ecsPatterns.ScheduledFargateTask(stack, 'Task', {
    cluster,
    schedule: MONTHLY,
    scheduledFargateTaskDefinitionOptions: { taskDefinition },
  });
  // the pattern's target has no retry or dead-letter options: configure them on the rule
  const cfnRule = task.eventRule.node.defaultChild as events.CfnRule;
  cfnRule.addPropertyOverride('Targets.0.RetryPolicy', { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 });
  cfnRule.addPropertyOverride('Targets.0.DeadLetterConfig', { Arn: deadLetterQueue.queueArn });
  const topic = new sns.Topic(stack, 'FailureTopic', { enforceSSL: true });
  new events.Rule(stack, 'FailedRun', {
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Task State Change'],
      detail: { clusterArn: [cluster.clusterArn], lastStatus: ['STOPPED'], containers: { exitCode: [{ 'anything-but': 0 }] } },
    },
    targets: [new eventsTargets.SnsTopic(topic)],
  });
  new cloudwatch.Alarm(stack, 'FailedInvocations', {
    metric: new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: task.eventRule.ruleName } }),
    threshold: 1,
    evaluationPeriods: 1,
  }).addAlarmAction(new cloudwatchActions.SnsAction(topic));
}

interface Pair {
  readonly name: string;
  readonly library: (stack: Stack) => void;
  readonly handWritten: (stack: Stack) => void;
}

const PAIRS: Pair[] = [
  {
    name: 'LoadBalancedScalingService',
    library: (stack) => new LoadBalancedScalingService(stack, 'Web', { image: IMAGE }),
    handWritten: handWrittenLoadBalancedService,
  },
  {
    name: 'ScheduledFargateEtl',
    library: (stack) => new ScheduledFargateEtl(stack, 'Etl', { schedule: MONTHLY, image: IMAGE }),
    handWritten: handWrittenScheduledTask,
  },
];

/** Milliseconds from an empty app to a written cloud assembly. */
function timeSynth(build: (stack: Stack) => void): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-bench-'));
  const started = process.hrtime.bigint();
  const app = new App({ outdir, context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
  build(new Stack(app, 'Bench', { env: ENV }));
  app.synth();
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const rounds = Number(process.argv[2] ?? 15);
  console.log(`synth time, median of ${rounds} rounds after 3 warm-up rounds (node ${process.version}, ${os.cpus().length} cores)`);
  for (const pair of PAIRS) {
    for (let i = 0; i < 3; i++) {
      timeSynth(pair.library);
      timeSynth(pair.handWritten);
    }
    const library: number[] = [];
    const handWritten: number[] = [];
    for (let i = 0; i < rounds; i++) {
      library.push(timeSynth(pair.library));
      handWritten.push(timeSynth(pair.handWritten));
    }
    const ratio = median(library) / median(handWritten);
    console.log(`  ${pair.name.padEnd(28)} library ${median(library).toFixed(0).padStart(5)} ms   hand-written ${median(handWritten).toFixed(0).padStart(5)} ms   ratio ${ratio.toFixed(2)}`);
  }
}

main();
