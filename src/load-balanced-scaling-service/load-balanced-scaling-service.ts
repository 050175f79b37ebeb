import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { checkFargateSize, defaultFargateMemory } from '../common/fargate-sizing';
import { acknowledgeNagFinding } from '../common/nag';
import { resolveCluster, resolveVpc } from '../common/network';
import { applyServiceScaling, resolveScaling } from '../common/scaling';
import { ServiceScalingOptions } from '../common/scaling-options';
import { FargateNetworkProps, LoadBalancedFrontProps } from '../common/shared-props';
import { checkInteger, invalid } from '../common/validation';
import { acknowledgeOpenLoadBalancer, configureTargets, finishLoadBalancer, resolveWebFront, webUrl } from '../common/web-front';

/**
 * Properties of a `LoadBalancedScalingService`.
 */
export interface LoadBalancedScalingServiceProps extends FargateNetworkProps, LoadBalancedFrontProps {
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
   * The path of the load balancer's health check.
   *
   * @default '/'
   */
  readonly healthCheckPath?: string;

  /**
   * How long ECS ignores failing load balancer health checks of a starting task.
   *
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;

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
   * interrupted with two minutes' notice). An imported `cluster` must already have the
   * Fargate capacity providers.
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
    const memoryLimitMiB = props.memoryLimitMiB ?? defaultFargateMemory(cpu, 512);
    checkFargateSize(path, { cpu, memoryLimitMiB, ephemeralStorageGiB: props.ephemeralStorageGiB });
    const containerPorts = props.containerPorts ?? [80];
    if (containerPorts.length === 0) {
      invalid(path, 'containerPorts', containerPorts, 'must name at least one port (the first receives the load balancer\'s traffic)');
    }
    containerPorts.forEach((p, i) => checkInteger(path, `containerPorts[${i}]`, p, { min: 1, max: 65535 }));
    if (new Set(containerPorts).size !== containerPorts.length) {
      invalid(path, 'containerPorts', containerPorts, 'must not name a port twice');
    }
    const front = resolveWebFront(this, props, {
      healthCheckPath: '/',
      warningId: 'cdk-fargate-blueprints:LoadBalancedScalingService.accessLogsNeedRegion',
    });
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
    this.cluster = resolveCluster(this, this.vpc, props);

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
      listenerPort: front.listenerPort,
      certificate: props.certificate,
      sslPolicy: front.sslPolicy,
      redirectHTTP: front.redirectHttp,
      domainName: props.domainName,
      domainZone: props.domainZone,
    });
    this.service = this.loadBalancedService.service;
    this.loadBalancer = this.loadBalancedService.loadBalancer;
    this.listener = this.loadBalancedService.listener;
    this.redirectListener = this.loadBalancedService.redirectListener;
    this.targetGroup = this.loadBalancedService.targetGroup;

    if (!publicLoadBalancer) {
      this.loadBalancer.connections.allowFrom(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(front.listenerPort), 'from the VPC');
    }
    this.accessLogsBucket = finishLoadBalancer(this, this.loadBalancer, front, props.accessLogsBucket);
    configureTargets(this.targetGroup, front);
    if (desiredCount === undefined) {
      // Without DesiredCount, CloudFormation starts the service with one task and later
      // deployments keep whatever number auto scaling has chosen (independent of the
      // @aws-cdk/aws-ecs-patterns:removeDefaultDesiredCount feature flag).
      (this.service.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
    }

    // ------------------------------------------------------------ scaling
    this.scaling = applyServiceScaling(this.service, scalingOptions, this.targetGroup);

    this.url = webUrl(front, props.domainName ?? this.loadBalancer.loadBalancerDnsName);

    this.acknowledgeNagFindings(props, publicLoadBalancer);
  }

  /** The cdk-nag findings this construct accepts by design, each with its reason. */
  private acknowledgeNagFindings(props: LoadBalancedScalingServiceProps, publicLoadBalancer: boolean): void {
    if (publicLoadBalancer) {
      acknowledgeOpenLoadBalancer(this.loadBalancer);
    }
    if (props.enableExecuteCommand) {
      acknowledgeNagFinding(this.taskDefinition.taskRole, 'AwsSolutions-IAM5[Resource::*]',
        'ECS Exec opens its Session Manager channel with ssmmessages:Create/OpenControlChannel and Create/OpenDataChannel, which support no resource-level permissions.');
    }
    if (Object.keys(props.environment ?? {}).length === 0 && Object.keys(props.ssmParameters ?? {}).length > 0) {
      acknowledgeNagFinding(this.taskDefinition, 'AwsSolutions-ECS2',
        'The only environment variables are the names of the SSM parameters (ssmParameters) the application reads at run time; their values never appear in the task definition.');
    }
  }
}
