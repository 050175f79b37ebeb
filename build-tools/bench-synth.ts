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
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { DEFAULT_CONFIGURATIONS, IMAGE, MONTHLY, REGION_ENV } from '../test/support/fixtures';

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
  pattern.loadBalancer.logAccessLogs(accessLogsBucket(stack));
  pattern.targetGroup.configureHealthCheck({ path: '/', interval: Duration.seconds(10), healthyThresholdCount: 2 });
  pattern.targetGroup.setAttribute('deregistration_delay.timeout_seconds', '30');
  const scaling = pattern.service.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 4 });
  scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 50, scaleOutCooldown: Duration.seconds(60) });
  fastScaleOut(scaling, pattern.service);
}

/** The library's access log bucket: encrypted, private, TLS only, 90 days, kept. */
function accessLogsBucket(stack: Stack): s3.Bucket {
  return new s3.Bucket(stack, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** The library's spike policy: step scaling on one-minute CPU datapoints. */
function fastScaleOut(scaling: ecs.ScalableTaskCount, service: ecs.FargateService): void {
  scaling.scaleOnMetric('CpuSpike', {
    metric: service.metricCpuUtilization({ period: Duration.minutes(1) }),
    scalingSteps: [{ upper: 80, change: 0 }, { lower: 80, change: 50 }, { lower: 95, change: 100 }],
    adjustmentType: appscaling.AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
    evaluationPeriods: 1,
  });
}

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
  const failedInvocations = new cloudwatch.Alarm(stack, 'FailedInvocations', {
    metric: new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: task.eventRule.ruleName } }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  // the library's other failure paths: a run in the dead-letter queue, a run that never started
  const deadLetters = new cloudwatch.Alarm(stack, 'DeadLetters', {
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible(),
    threshold: 1,
    evaluationPeriods: 1,
  });
  const started = new events.Rule(stack, 'StartedRun', {
    eventPattern: { source: ['aws.ecs'], detailType: ['ECS Task State Change'], detail: { clusterArn: [cluster.clusterArn], lastStatus: ['PROVISIONING'] } },
    targets: [new eventsTargets.SqsQueue(new sqs.Queue(stack, 'StartedRuns', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true }))],
  });
  const missedRuns = new cloudwatch.Alarm(stack, 'MissedRuns', {
    metric: new cloudwatch.MathExpression({
      expression: 'RUNNING_SUM(FILL(due, 0)) - RUNNING_SUM(FILL(started, 0))',
      usingMetrics: {
        due: new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'Invocations', dimensionsMap: { RuleName: task.eventRule.ruleName } }),
        started: new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'Invocations', dimensionsMap: { RuleName: started.ruleName } }),
      },
    }),
    threshold: 1,
    evaluationPeriods: 6,
    datapointsToAlarm: 2,
  });
  for (const alarm of [failedInvocations, deadLetters, missedRuns]) {
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
  }
  topic.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnEquals: { 'aws:SourceArn': [failedInvocations, deadLetters, missedRuns].map((a) => a.alarmArn) } },
  }));
}

const WORDPRESS_ASSETS = path.join(__dirname, '..', 'assets', 'wordpress');

/**
 * WordpressFargateSite's default architecture, written with ApplicationLoadBalancedFargateService:
 * the same two images (hashed from the same directories), EFS with an access point, Aurora
 * Serverless v2, the keys and salts secret and request-based scaling.
 */
function handWrittenWordpress(stack: Stack): void {
  const vpc = handWrittenVpc(stack);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const fileSystem = new efs.FileSystem(stack, 'FileSystem', {
    vpc,
    encrypted: true,
    throughputMode: efs.ThroughputMode.ELASTIC,
    enableAutomaticBackups: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  fileSystem.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['*'],
    conditions: { Bool: { 'aws:SecureTransport': 'false' } },
  }));
  const accessPoint = fileSystem.addAccessPoint('AccessPoint', {
    path: '/wordpress',
    posixUser: { uid: '33', gid: '33' },
    createAcl: { ownerUid: '33', ownerGid: '33', permissions: '755' },
  });
  const database = new rds.DatabaseCluster(stack, 'Database', {
    engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_11_0 }),
    vpc,
    writer: rds.ClusterInstance.serverlessV2('Writer'),
    serverlessV2MinCapacity: 0,
    serverlessV2MaxCapacity: 4,
    defaultDatabaseName: 'wordpress',
    storageEncrypted: true,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.SNAPSHOT,
  });
  const keys = new secretsmanager.Secret(stack, 'KeysAndSalts', { generateSecretString: { passwordLength: 512, excludePunctuation: true } });
  const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDefinition', { cpu: 1024, memoryLimitMiB: 2048 });
  taskDefinition.addVolume({
    name: 'wordpress',
    efsVolumeConfiguration: {
      fileSystemId: fileSystem.fileSystemId,
      transitEncryption: 'ENABLED',
      authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: 'ENABLED' },
    },
  });
  const nginx = taskDefinition.addContainer('nginx', {
    image: ecs.ContainerImage.fromAsset(path.join(WORDPRESS_ASSETS, 'nginx')),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'nginx' }),
  });
  const php = taskDefinition.addContainer('wordpress', {
    image: ecs.ContainerImage.fromAsset(path.join(WORDPRESS_ASSETS, 'php')),
    portMappings: [{ containerPort: 9000 }],
    environment: {
      WORDPRESS_DB_HOST: database.clusterEndpoint.socketAddress,
      WORDPRESS_TABLE_PREFIX: 'wp_',
      PHP_UPLOAD_MAX_FILESIZE: '64M',
      PHP_POST_MAX_SIZE: '65M',
    },
    secrets: {
      WORDPRESS_DB_USER: ecs.Secret.fromSecretsManager(database.secret!, 'username'),
      WORDPRESS_DB_PASSWORD: ecs.Secret.fromSecretsManager(database.secret!, 'password'),
      WORDPRESS_KEYS_AND_SALTS: ecs.Secret.fromSecretsManager(keys),
    },
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'wordpress' }),
  });
  for (const container of [nginx, php]) {
    container.addMountPoints({ containerPath: '/var/www/html', sourceVolume: 'wordpress', readOnly: container === nginx });
  }
  const pattern = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    minHealthyPercent: 100,
    circuitBreaker: { rollback: true },
  });
  fileSystem.connections.allowDefaultPortFrom(pattern.service);
  fileSystem.grantReadWrite(taskDefinition.taskRole);
  database.connections.allowDefaultPortFrom(pattern.service);
  pattern.loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
  pattern.loadBalancer.logAccessLogs(accessLogsBucket(stack));
  pattern.targetGroup.configureHealthCheck({ path: '/healthz', interval: Duration.seconds(10), healthyThresholdCount: 2 });
  const scaling = pattern.service.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 10 });
  scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 50, scaleOutCooldown: Duration.seconds(60) });
  scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 600, targetGroup: pattern.targetGroup, scaleOutCooldown: Duration.seconds(60) });
  fastScaleOut(scaling, pattern.service);
  scaling.scaleOnMetric('RequestSpike', {
    metric: pattern.targetGroup.metrics.requestCountPerTarget({ period: Duration.minutes(1), statistic: 'Sum' }),
    scalingSteps: [{ upper: 900, change: 0 }, { lower: 900, change: 50 }, { lower: 1800, change: 100 }],
    adjustmentType: appscaling.AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
    evaluationPeriods: 1,
  });
}

interface Pair {
  readonly name: string;
  readonly library: (stack: Stack) => unknown;
  readonly handWritten: (stack: Stack) => void;
}

const PAIRS: Pair[] = [
  {
    name: 'LoadBalancedScalingService',
    library: DEFAULT_CONFIGURATIONS.LoadBalancedScalingService,
    handWritten: handWrittenLoadBalancedService,
  },
  {
    name: 'ScheduledFargateEtl',
    library: DEFAULT_CONFIGURATIONS.ScheduledFargateEtl,
    handWritten: handWrittenScheduledTask,
  },
  {
    name: 'WordpressFargateSite',
    library: DEFAULT_CONFIGURATIONS.WordpressFargateSite,
    handWritten: handWrittenWordpress,
  },
];

/** Milliseconds from an empty app to a written cloud assembly. */
function timeSynth(build: (stack: Stack) => void): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-bench-'));
  const started = process.hrtime.bigint();
  const app = new App({ outdir, context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
  build(new Stack(app, 'Bench', { env: REGION_ENV }));
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
