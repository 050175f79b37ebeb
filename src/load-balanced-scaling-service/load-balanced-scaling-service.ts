import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { checkFargateSize, fargateMemoryValues } from '../common/fargate-sizing';
import { resolveVpc } from '../common/network';
import { applyServiceScaling, resolveScaling } from '../common/scaling';
import { ServiceScalingOptions } from '../common/scaling-options';
import { checkInteger, invalid } from '../common/validation';

/**
 * Properties of a `LoadBalancedScalingService`.
 */
export interface LoadBalancedScalingServiceProps {
  // ---------------------------------------------------------------- the container

  /**
   * The image of the container, for example
   * `ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/hello-app-runner:latest')`.
   */
  readonly image: ecs.ContainerImage;

  /**
   * The TCP ports the container listens on. The first one receives the load
   * balancer's traffic; the others are mapped but reachable by nothing outside the task.
   *
   * @default [80]
   */
  readonly containerPorts?: number[];

  /**
   * The name of the container.
   *
   * @default 'web'
   */
  readonly containerName?: string;

  /**
   * The task's CPU units (1024 = 1 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384.
   *
   * @default 256
   */
  readonly cpu?: number;

  /**
   * The task's memory in MiB; must be a value Fargate allows for `cpu`.
   *
   * @default - the smallest value Fargate allows for `cpu` (512 for 256)
   */
  readonly memoryLimitMiB?: number;

  /**
   * The task's ephemeral storage in GiB, from 21 to 200.
   *
   * @default - Fargate's 20 GiB
   */
  readonly ephemeralStorageGiB?: number;

  /**
   * The family of the task definition.
   *
   * @default - a name CDK generates from the construct path
   */
  readonly family?: string;

  /**
   * The CPU architecture the image is built for. `ARM64` (Graviton) costs about 20% less.
   *
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * Environment variables of the container. Never put secrets here: use `secrets`.
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /**
   * Secrets injected as environment variables when the task starts, from Secrets
   * Manager or SSM SecureString parameters; the execution role may read exactly these.
   *
   * @default - none
   */
  readonly secrets?: { [name: string]: ecs.Secret };

  /**
   * SSM parameters the application looks up itself: each environment variable holds
   * the parameter's name, and the task role may read exactly that parameter. Use this
   * for values that can change without a deployment (the go-on-aws app reads its table
   * name this way).
   *
   * @default - none
   */
  readonly ssmParameters?: { [name: string]: ssm.IStringParameter };

  /**
   * The command of the container.
   *
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * A container health check, in addition to the load balancer's.
   *
   * @default - none
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * How long the container's logs are kept in CloudWatch Logs.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  // ---------------------------------------------------------------- where it runs

  /**
   * The VPC to run in. Give at most one of `vpc`, `vpcName` and `cluster`.
   *
   * @default - a new VPC: 2 availability zones, 1 NAT gateway, flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The name of an existing VPC, looked up at synth time (needs a stack with a concrete
   * `env`, and AWS credentials on the first synth).
   *
   * @default - see `vpc`
   */
  readonly vpcName?: string;

  /**
   * An existing cluster to run in; its VPC is used. With `fargateSpot`, an imported
   * cluster must already have the Fargate capacity providers.
   *
   * @default - a new cluster with Container Insights
   */
  readonly cluster?: ecs.ICluster;

  /**
   * Whether the cluster the construct creates records Container Insights metrics
   * (billed as custom metrics). Not allowed with `cluster`.
   *
   * @default true
   */
  readonly containerInsights?: boolean;

  /**
   * The subnets of the tasks. Tasks never get a public IP.
   *
   * @default - the private subnets with egress
   */
  readonly taskSubnets?: ec2.SubnetSelection;

  // ---------------------------------------------------------------- the load balancer

  /**
   * Whether the load balancer is internet-facing. An internal one admits traffic from
   * the VPC's CIDR only.
   *
   * @default true
   */
  readonly publicLoadBalancer?: boolean;

  /**
   * The port of the listener.
   *
   * @default 80, or 443 with a certificate
   */
  readonly listenerPort?: number;

  /**
   * A certificate for HTTPS. The listener then speaks HTTPS, with `sslPolicy`.
   *
   * @default - HTTP only
   */
  readonly certificate?: acm.ICertificate;

  /**
   * With a certificate: also listen on port 80 and redirect to HTTPS.
   *
   * @default true with a certificate
   */
  readonly redirectHttp?: boolean;

  /**
   * The TLS policy of the HTTPS listener.
   *
   * @default elbv2.SslPolicy.RECOMMENDED_TLS
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * A domain name for the service, written as an alias record into `domainZone`.
   *
   * @default - the load balancer's DNS name
   */
  readonly domainName?: string;

  /**
   * The hosted zone of `domainName`.
   *
   * @default - required with `domainName`
   */
  readonly domainZone?: route53.IHostedZone;

  /**
   * The path of the load balancer's health check.
   *
   * @default '/'
   */
  readonly healthCheckPath?: string;

  /**
   * The HTTP codes that mean healthy, for example '200,401' for an app behind basic auth.
   *
   * @default '200'
   */
  readonly healthyHttpCodes?: string;

  /**
   * The interval of the load balancer's health checks. Two passing checks put a new
   * task into service, so a short interval lets scale-outs take load sooner.
   *
   * @default Duration.seconds(10)
   */
  readonly healthCheckInterval?: Duration;

  /**
   * How long ECS ignores failing load balancer health checks of a starting task.
   *
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * How long the load balancer lets in-flight requests of a deregistered task finish.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * Whether the load balancer writes access logs to S3.
   *
   * Elastic Load Balancing writes them with an identity that depends on the region, so
   * they need a stack whose `env` names the region (the account may stay unknown, and
   * synthesis needs no credentials).
   *
   * @default - true when the stack's region is known; otherwise false, with a warning
   */
  readonly accessLogs?: boolean;

  /**
   * The bucket for the access logs. It must use SSE-S3 encryption (a requirement of
   * Elastic Load Balancing).
   *
   * @default - a new bucket: encrypted, private, TLS only, logs expire after 90 days,
   * retained when the stack is deleted
   */
  readonly accessLogsBucket?: s3.IBucket;

  // ---------------------------------------------------------------- the service

  /**
   * The number of tasks set on every deployment. Leave it unset with auto scaling: a
   * deployment then keeps the number of tasks that scaling chose.
   *
   * @default - `scaling.minCapacity` tasks on creation, unchanged afterwards
   */
  readonly desiredCount?: number;

  /**
   * The lower limit of running tasks during a deployment, in percent of the desired count.
   *
   * @default 100
   */
  readonly minHealthyPercent?: number;

  /**
   * The upper limit of running tasks during a deployment, in percent of the desired count.
   *
   * @default 200
   */
  readonly maxHealthyPercent?: number;

  /**
   * Auto scaling: bounds, targets, fast scale-out and scheduled windows.
   *
   * @default - 1 to 4 tasks, CPU target 50%, fast scale-out on
   */
  readonly scaling?: ServiceScalingOptions;

  /**
   * Run tasks beyond `onDemandBaseTasks` on Fargate Spot (up to 70% cheaper, may be
   * interrupted with two minutes' notice).
   *
   * @default false
   */
  readonly fargateSpot?: boolean;

  /**
   * With `fargateSpot`: the number of tasks that always run on regular Fargate.
   *
   * @default 1
   */
  readonly onDemandBaseTasks?: number;

  /**
   * With `fargateSpot`: Spot tasks per regular task beyond the base.
   *
   * @default 3
   */
  readonly spotWeight?: number;

  /**
   * Allow `aws ecs execute-command` into the containers (adds SSM Session Manager
   * permissions to the task role).
   *
   * @default false
   */
  readonly enableExecuteCommand?: boolean;

  /**
   * The name of the service.
   *
   * @default - a name CloudFormation generates
   */
  readonly serviceName?: string;
}

/**
 * A containerized web application on ECS Fargate behind an Application Load Balancer,
 * scaling out and in with load.
 *
 * Built on `aws-ecs-patterns.ApplicationLoadBalancedFargateService`, it adds what a
 * production service needs and the pattern leaves to you: tasks in private subnets
 * without public IPs, reachable only from the load balancer; a deployment circuit
 * breaker with rollback; logs with a retention; access logs and Container Insights;
 * target tracking on CPU (and optionally memory and requests) plus step scaling that
 * reacts to a spike within about a minute; scheduled pre-warm windows; HTTPS with a
 * redirect; and validation of every setting at synth time.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const web = new LoadBalancedScalingService(this, 'Web', {
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/hello-app-runner:latest'),
 *   containerPorts: [8000],
 *   scaling: { minCapacity: 2, maxCapacity: 10, requestsPerTarget: 500 },
 * });
 */
export class LoadBalancedScalingService extends Construct {
  /** The VPC the service runs in. */
  public readonly vpc: ec2.IVpc;
  /** The cluster the service runs in. */
  public readonly cluster: ecs.ICluster;
  /** The aws-ecs-patterns construct this one is built on. */
  public readonly loadBalancedService: ecsPatterns.ApplicationLoadBalancedFargateService;
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the service. */
  public readonly listener: elbv2.ApplicationListener;
  /**
   * The HTTP listener that redirects to HTTPS.
   *
   * @default - undefined without a certificate
   */
  public readonly redirectListener?: elbv2.ApplicationListener;
  /** The target group of the service's tasks. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The log group of the container. */
  public readonly logGroup: logs.LogGroup;
  /**
   * The bucket of the load balancer's access logs.
   *
   * @default - undefined when `accessLogs` is false
   */
  public readonly accessLogsBucket?: s3.IBucket;
  /** The auto scaling of the service's task count. */
  public readonly scaling: ecs.ScalableTaskCount;
  /** The URL of the service, for example `http://web-123.eu-west-1.elb.amazonaws.com`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: LoadBalancedScalingServiceProps) {
    super(scope, id);
    const path = this.node.path;

    // ------------------------------------------------------------ validation
    const cpu = props.cpu ?? 256;
    const memoryLimitMiB = props.memoryLimitMiB ?? (Token.isUnresolved(cpu) ? 512 : fargateMemoryValues(cpu)?.[0] ?? 512);
    checkFargateSize(path, { cpu, memoryLimitMiB, ephemeralStorageGiB: props.ephemeralStorageGiB });
    const containerPorts = props.containerPorts ?? [80];
    if (containerPorts.length === 0) {
      invalid(path, 'containerPorts', containerPorts, 'must name at least one port (the first receives the load balancer\'s traffic)');
    }
    containerPorts.forEach((p, i) => checkInteger(path, `containerPorts[${i}]`, p, { min: 1, max: 65535 }));
    if (new Set(containerPorts).size !== containerPorts.length) {
      invalid(path, 'containerPorts', containerPorts, 'must not name a port twice');
    }
    const https = props.certificate !== undefined;
    const listenerPort = checkInteger(path, 'listenerPort', props.listenerPort, { min: 1, max: 65535 }) ?? (https ? 443 : 80);
    if (props.redirectHttp && !https) {
      invalid(path, 'redirectHttp', props.redirectHttp, 'needs a certificate: without HTTPS there is nothing to redirect to');
    }
    const redirectHttp = props.redirectHttp ?? https;
    if (redirectHttp && listenerPort === 80) {
      invalid(path, 'listenerPort', listenerPort, 'must not be 80 while HTTP on port 80 redirects to HTTPS; use 443 or set redirectHttp to false');
    }
    if (props.sslPolicy && !https) {
      invalid(path, 'sslPolicy', props.sslPolicy, 'applies to HTTPS only: give a certificate too');
    }
    if ((props.domainName === undefined) !== (props.domainZone === undefined)) {
      invalid(path, props.domainName === undefined ? 'domainZone' : 'domainName', props.domainName ?? '(a hosted zone)', 'needs both domainName and domainZone');
    }
    const healthCheckPath = props.healthCheckPath ?? '/';
    if (!healthCheckPath.startsWith('/')) {
      invalid(path, 'healthCheckPath', healthCheckPath, 'must start with "/"');
    }
    const healthyHttpCodes = props.healthyHttpCodes ?? '200';
    if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(healthyHttpCodes)
      || healthyHttpCodes.match(/\d{3}/g)!.some((c) => Number(c) < 200 || Number(c) > 499)) {
      invalid(path, 'healthyHttpCodes', healthyHttpCodes, 'must be HTTP codes from 200 to 499, comma-separated or as ranges, for example "200", "200,401" or "200-299"');
    }
    const interval = props.healthCheckInterval ?? Duration.seconds(10);
    checkInteger(path, 'healthCheckInterval (seconds)', interval.toSeconds(), { min: 5, max: 300 });
    const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(30);
    checkInteger(path, 'deregistrationDelay (seconds)', deregistrationDelay.toSeconds(), { min: 0, max: 3600 });
    if (props.accessLogs === false && props.accessLogsBucket) {
      invalid(path, 'accessLogsBucket', props.accessLogsBucket.node.path, 'is given but accessLogs is false; drop one of them');
    }
    const regionKnown = !Token.isUnresolved(Stack.of(this).region);
    if (!regionKnown && (props.accessLogs || props.accessLogsBucket)) {
      invalid(path, props.accessLogs ? 'accessLogs' : 'accessLogsBucket', props.accessLogs ?? props.accessLogsBucket!.node.path,
        `needs the region of stack ${Stack.of(this).node.path}, because Elastic Load Balancing delivers access logs with a regional identity; set env: { region } on the stack (no credentials needed)`);
    }
    const accessLogs = props.accessLogs ?? regionKnown;
    if (props.accessLogs === undefined && !regionKnown) {
      Annotations.of(this).addWarningV2('cdk-fargate-blueprints:LoadBalancedScalingService.accessLogsNeedRegion',
        `The load balancer writes no access logs: stack ${Stack.of(this).node.path} has no region, and Elastic Load Balancing delivers access logs with a regional identity. `
        + 'Set env: { region } on the stack (no credentials needed), or accessLogs: false to accept this.');
    }
    if (props.cluster && props.containerInsights !== undefined) {
      invalid(path, 'containerInsights', props.containerInsights, 'only applies to the cluster the construct creates; configure Container Insights on the cluster you pass');
    }
    const minHealthyPercent = checkInteger(path, 'minHealthyPercent', props.minHealthyPercent, { min: 0, max: 100 }) ?? 100;
    const maxHealthyPercent = checkInteger(path, 'maxHealthyPercent', props.maxHealthyPercent, { min: 100, max: 400 }) ?? 200;
    const scalingOptions = resolveScaling(path, 'scaling', props.scaling, { maxCapacity: 4 });
    const desiredCount = checkInteger(path, 'desiredCount', props.desiredCount, { min: 1 });
    if (desiredCount !== undefined && !Token.isUnresolved(desiredCount)
      && (desiredCount < scalingOptions.minCapacity || desiredCount > scalingOptions.maxCapacity)) {
      invalid(path, 'desiredCount', desiredCount, `must be within scaling.minCapacity and scaling.maxCapacity (${scalingOptions.minCapacity} to ${scalingOptions.maxCapacity})`);
    }
    if (!props.fargateSpot && (props.onDemandBaseTasks !== undefined || props.spotWeight !== undefined)) {
      invalid(path, props.onDemandBaseTasks !== undefined ? 'onDemandBaseTasks' : 'spotWeight',
        props.onDemandBaseTasks ?? props.spotWeight, 'only applies with fargateSpot: true');
    }
    const onDemandBaseTasks = checkInteger(path, 'onDemandBaseTasks', props.onDemandBaseTasks, { min: 0, max: 100000 }) ?? 1;
    const spotWeight = checkInteger(path, 'spotWeight', props.spotWeight, { min: 1, max: 1000 }) ?? 3;
    const containerName = props.containerName ?? 'web';

    // ------------------------------------------------------------ network
    this.vpc = resolveVpc(this, props);
    if (props.cluster) {
      this.cluster = props.cluster;
      if (props.fargateSpot && props.cluster instanceof ecs.Cluster) {
        props.cluster.enableFargateCapacityProviders();
      }
    } else {
      this.cluster = new ecs.Cluster(this, 'Cluster', {
        vpc: this.vpc,
        containerInsightsV2: (props.containerInsights ?? true) ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
        enableFargateCapacityProviders: props.fargateSpot ?? false,
      });
    }

    // ------------------------------------------------------------ compute
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu,
      memoryLimitMiB,
      ephemeralStorageGiB: props.ephemeralStorageGiB,
      family: props.family,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const parameterNames: { [name: string]: string } = {};
    for (const [name, parameter] of Object.entries(props.ssmParameters ?? {})) {
      parameterNames[name] = parameter.parameterName;
      parameter.grantRead(this.taskDefinition.taskRole);
    }
    this.container = this.taskDefinition.addContainer(containerName, {
      containerName,
      image: props.image,
      portMappings: containerPorts.map((containerPort) => ({ containerPort, protocol: ecs.Protocol.TCP })),
      environment: { ...props.environment, ...parameterNames },
      secrets: props.secrets,
      command: props.command,
      healthCheck: props.containerHealthCheck,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: containerName }),
    });

    // ------------------------------------------------------------ load balancing
    const publicLoadBalancer = props.publicLoadBalancer ?? true;
    this.loadBalancedService = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      serviceName: props.serviceName,
      desiredCount,
      minHealthyPercent,
      maxHealthyPercent,
      circuitBreaker: { rollback: true },
      assignPublicIp: false,
      taskSubnets: props.taskSubnets,
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? Duration.seconds(60),
      enableExecuteCommand: props.enableExecuteCommand,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      capacityProviderStrategies: props.fargateSpot
        ? [
          { capacityProvider: 'FARGATE', base: onDemandBaseTasks, weight: 1 },
          { capacityProvider: 'FARGATE_SPOT', weight: spotWeight },
        ]
        : undefined,
      publicLoadBalancer,
      // an internal load balancer admits the VPC only (below), not 0.0.0.0/0
      openListener: publicLoadBalancer,
      listenerPort,
      certificate: props.certificate,
      sslPolicy: https ? props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      redirectHTTP: redirectHttp,
      domainName: props.domainName,
      domainZone: props.domainZone,
    });
    this.service = this.loadBalancedService.service;
    this.loadBalancer = this.loadBalancedService.loadBalancer;
    this.listener = this.loadBalancedService.listener;
    this.redirectListener = this.loadBalancedService.redirectListener;
    this.targetGroup = this.loadBalancedService.targetGroup;

    if (!publicLoadBalancer) {
      this.loadBalancer.connections.allowFrom(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(listenerPort), 'from the VPC');
    }
    this.loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
    if (accessLogs) {
      this.accessLogsBucket = props.accessLogsBucket ?? this.createAccessLogsBucket();
      this.loadBalancer.logAccessLogs(this.accessLogsBucket);
    }
    this.targetGroup.configureHealthCheck({
      path: healthCheckPath,
      healthyHttpCodes,
      interval,
      timeout: Duration.seconds(Math.min(5, interval.toSeconds() - 1)),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
    });
    this.targetGroup.setAttribute('deregistration_delay.timeout_seconds', String(deregistrationDelay.toSeconds()));
    if (desiredCount === undefined) {
      // Without DesiredCount, CloudFormation starts the service with one task and later
      // deployments keep whatever number auto scaling has chosen (independent of the
      // @aws-cdk/aws-ecs-patterns:removeDefaultDesiredCount feature flag).
      (this.service.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
    }

    // ------------------------------------------------------------ scaling
    this.scaling = applyServiceScaling(this.service, scalingOptions, this.targetGroup);

    const host = props.domainName ?? this.loadBalancer.loadBalancerDnsName;
    const defaultPort = https ? 443 : 80;
    this.url = `${https ? 'https' : 'http'}://${host}${listenerPort === defaultPort ? '' : `:${listenerPort}`}`;

    this.acknowledgeNagFindings(props, publicLoadBalancer);
  }

  /** The cdk-nag findings this construct accepts by design, each with its reason. */
  private acknowledgeNagFindings(props: LoadBalancedScalingServiceProps, publicLoadBalancer: boolean): void {
    if (publicLoadBalancer) {
      Validations.of(this.loadBalancer).acknowledge({
        id: 'AwsSolutions::AwsSolutions-EC23',
        reason: 'An internet-facing load balancer must admit 0.0.0.0/0 on its listener ports; the tasks behind it admit only the load balancer.',
      });
    }
    if (props.enableExecuteCommand) {
      Validations.of(this.taskDefinition.taskRole).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'ECS Exec opens its Session Manager channel with ssmmessages:Create/OpenControlChannel and Create/OpenDataChannel, which support no resource-level permissions.',
      });
    }
    if (Object.keys(props.environment ?? {}).length === 0 && Object.keys(props.ssmParameters ?? {}).length > 0) {
      Validations.of(this.taskDefinition).acknowledge({
        id: 'AwsSolutions::AwsSolutions-ECS2',
        reason: 'The only environment variables are the names of the SSM parameters (ssmParameters) the application reads at run time; their values never appear in the task definition.',
      });
    }
  }

  private createAccessLogsBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'This bucket only receives the load balancer\'s access logs; logging access to it would need yet another bucket.',
    });
    return bucket;
  }
}
