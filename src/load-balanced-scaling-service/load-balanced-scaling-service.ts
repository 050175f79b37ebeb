import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { LoadBalancedFrontProps } from '../common/load-balancer-props';
import { FargateNetworkProps } from '../common/network-props';
import { ServiceScalingOptions } from '../common/scaling-options';
import { FargateTaskProps } from '../common/task-props';
import { ResolvedFargateSize, resolveFargateSize } from '../private/fargate-sizing';
import { createLoadBalancedService } from '../private/load-balanced-service';
import { acknowledgeNagFinding } from '../private/nag';
import { checkTaskSubnets, defaultTaskSubnets, NAT_FREE_LAYOUT, resolveCluster, resolveVpc } from '../private/network';
import { resolveScaling, ResolvedScaling } from '../private/scaling';
import { builtForDeployingMachine, checkContainerHealthCheck, checkEnvironmentSize, FargateTask, createFargateTask, checkSpotArchitecture, resolveCpuArchitecture } from '../private/task';
import { checkConstructId, checkEcsName, checkInteger, invalid } from '../private/validation';
import { resolveWebFront, WebFront } from '../private/web-front';

/**
 * Properties of a `LoadBalancedScalingService`.
 */
export interface LoadBalancedScalingServiceProps extends FargateTaskProps, FargateNetworkProps, LoadBalancedFrontProps {
  // ---------------------------------------------------------------- the container

  /**
   * The image of the container, for example
   * `ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/hello-app-runner:latest')`
   * (built for x86 only: give it `cpuArchitecture: ecs.CpuArchitecture.X86_64`).
   *
   * A registry or ECR image runs on ARM64 (Graviton) unless `cpuArchitecture` or
   * `fargateSpot` says otherwise: it must then be built for linux/arm64 (a multi-arch image
   * is), else its container exits with "exec format error" (in the service's log group) and
   * the deployment fails and is rolled back. An image asset runs on the platform it is built
   * for, and on x86 when it does not say (`fromAsset` without `platform`,
   * `fromDockerImageAsset`, `fromTarball`).
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
   * SSM parameters the application looks up itself: each environment variable holds
   * the parameter's name, and the task role may read exactly that parameter. Use this
   * for values that can change without a deployment (the go-on-aws app reads its table
   * name this way).
   *
   * @default - none
   */
  readonly ssmParameters?: { [name: string]: ssm.IStringParameter };

  /**
   * A container health check, in addition to the load balancer's.
   *
   * @default - none
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  // ---------------------------------------------------------------- where it runs

  /**
   * The subnets of the tasks. Tasks in public subnets get a public IP, their only way out
   * without a NAT gateway (their security group still admits the load balancer alone); in
   * the VPC the construct creates, which has no NAT gateway, only public subnets will do.
   *
   * @default - in a VPC you give, the private subnets with egress; in the VPC the construct
   * creates (no NAT gateway), its public subnets, each task with a public IP for its outbound
   * calls and a security group that admits the load balancer alone
   */
  readonly taskSubnets?: ec2.SubnetSelection;

  // ---------------------------------------------------------------- the load balancer

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
   * Fargate capacity providers. Fargate Spot runs x86 tasks only: not with `ARM64`.
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
 * production service needs and the pattern leaves to you: tasks reachable only from the
 * load balancer (in private subnets of a VPC you give; in the public subnets of the VPC it
 * creates, which has no NAT gateway to pay for); a deployment circuit
 * breaker with rollback; logs with a retention; access logs; Container Insights on request;
 * target tracking on CPU (and optionally memory and requests) plus step scaling that
 * reacts to a spike within about a minute; scheduled pre-warm windows; HTTPS with a
 * redirect; and validation of every setting at synth time.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const web = new LoadBalancedScalingService(this, 'Web', {
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/hello-app-runner:latest'),
 *   cpuArchitecture: ecs.CpuArchitecture.X86_64, // this image is built for x86 only
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
  /** The auto scaling of the service's task count (the `scaling` prop configures it). */
  public readonly scalableTaskCount: ecs.ScalableTaskCount;
  /** The URL of the service, for example `http://web-123.eu-west-1.elb.amazonaws.com`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: LoadBalancedScalingServiceProps) {
    super(scope, id);
    checkConstructId(this);
    const settings = resolveServiceSettings(this, props);

    // a VPC of its own has no NAT gateway: the tasks run in its public subnets with a public IP
    this.vpc = resolveVpc(this, props, NAT_FREE_LAYOUT);
    const taskSubnets = props.taskSubnets ?? defaultTaskSubnets(props);
    checkTaskSubnets(this, this.vpc, props, { prop: 'taskSubnets', value: props.taskSubnets, default: taskSubnets });
    this.cluster = resolveCluster(this, this.vpc, props);

    const cpuArchitecture = resolveCpuArchitecture(this.node.path, props.cpuArchitecture, { image: props.image }, defaultArchitecture(props));
    checkSpotArchitecture(this.node.path, props, cpuArchitecture);
    const task = createFargateTask(this, { ...props, size: settings.size, cpuArchitecture });
    this.taskDefinition = task.taskDefinition;
    this.logGroup = task.logGroup;
    this.container = this.addApplicationContainer(task, settings, props);

    const web = createLoadBalancedService(this, {
      ...settings,
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      certificate: props.certificate,
      domainName: props.domainName,
      domainZone: props.domainZone,
      accessLogsBucket: props.accessLogsBucket,
      serviceName: props.serviceName,
      taskSubnets,
      enableExecuteCommand: props.enableExecuteCommand,
    });
    this.loadBalancedService = web.loadBalancedService;
    this.service = web.service;
    this.loadBalancer = web.createdLoadBalancer!;
    this.listener = web.listener;
    this.redirectListener = web.redirectListener;
    this.targetGroup = web.targetGroup;
    this.accessLogsBucket = web.accessLogsBucket;
    this.scalableTaskCount = web.scalableTaskCount;
    this.url = web.url;

    this.acknowledgeNagFindings(props);
  }

  /**
   * The application container: its ports, environment (with the names of the SSM
   * parameters the task role may read), secrets, command and logs.
   */
  private addApplicationContainer(
    task: FargateTask,
    settings: ServiceSettings,
    props: Pick<LoadBalancedScalingServiceProps, 'image' | 'environment' | 'secrets' | 'ssmParameters' | 'command' | 'containerHealthCheck'>,
  ): ecs.ContainerDefinition {
    const parameterNames: { [name: string]: string } = {};
    for (const [name, parameter] of Object.entries(props.ssmParameters ?? {})) {
      parameterNames[name] = parameter.parameterName;
      parameter.grantRead(task.taskDefinition.taskRole);
    }
    return task.taskDefinition.addContainer(settings.containerName, {
      containerName: settings.containerName,
      image: props.image,
      portMappings: settings.containerPorts.map((containerPort) => ({ containerPort, protocol: ecs.Protocol.TCP })),
      environment: { ...props.environment, ...parameterNames },
      secrets: props.secrets,
      command: props.command,
      healthCheck: props.containerHealthCheck,
      logging: task.logDriver(settings.containerName),
    });
  }

  /** The cdk-nag findings this construct accepts by design, each with its reason. */
  private acknowledgeNagFindings(props: Pick<LoadBalancedScalingServiceProps, 'enableExecuteCommand' | 'environment' | 'ssmParameters'>): void {
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

/** The props of a LoadBalancedScalingService, checked, with the defaults applied. */
interface ServiceSettings {
  readonly size: ResolvedFargateSize;
  readonly containerName: string;
  readonly containerPorts: number[];
  readonly front: WebFront;
  readonly publicLoadBalancer: boolean;
  readonly minHealthyPercent: number;
  readonly maxHealthyPercent: number;
  readonly desiredCount?: number;
  readonly scaling: ResolvedScaling;
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];
}

function resolveServiceSettings(scope: Construct, props: LoadBalancedScalingServiceProps): ServiceSettings {
  const path = scope.node.path;
  const containerPorts = props.containerPorts ?? [80];
  if (containerPorts.length === 0) {
    invalid(path, 'containerPorts', containerPorts, 'must name at least one port (the first receives the load balancer\'s traffic)');
  }
  containerPorts.forEach((p, i) => checkInteger(path, `containerPorts[${i}]`, p, { min: 1, max: 65535 }));
  if (new Set(containerPorts).size !== containerPorts.length) {
    invalid(path, 'containerPorts', containerPorts, 'must not name a port twice');
  }
  checkEcsName(path, 'containerName', props.containerName);
  checkEcsName(path, 'serviceName', props.serviceName);
  checkContainerHealthCheck(path, 'containerHealthCheck', props.containerHealthCheck);
  checkEnvironmentSize(path, 'environment', props.environment);
  const scaling = resolveScaling(path, 'scaling', props.scaling, { maxCapacity: 4 });
  return {
    size: resolveFargateSize(path, props, { cpu: 256, memoryAtLeast: 512 }),
    containerName: props.containerName ?? 'web',
    containerPorts,
    front: resolveWebFront(scope, props, { healthCheckPath: '/', healthCheckGracePeriod: Duration.seconds(60), idleTimeout: Duration.seconds(60) }),
    publicLoadBalancer: props.publicLoadBalancer ?? true,
    ...checkHealthyPercents(path, props),
    desiredCount: checkDesiredCount(path, props.desiredCount, scaling),
    scaling,
    capacityProviderStrategies: spotStrategies(path, props),
  };
}

/** The bounds of a rolling deployment; ECS needs room between them to replace tasks. */
function checkHealthyPercents(path: string, props: Pick<LoadBalancedScalingServiceProps, 'minHealthyPercent' | 'maxHealthyPercent'>) {
  const minHealthyPercent = checkInteger(path, 'minHealthyPercent', props.minHealthyPercent, { min: 0, max: 100 }) ?? 100;
  const maxHealthyPercent = checkInteger(path, 'maxHealthyPercent', props.maxHealthyPercent, { min: 100, max: 400 }) ?? 200;
  if (!Token.isUnresolved(minHealthyPercent) && !Token.isUnresolved(maxHealthyPercent) && maxHealthyPercent <= minHealthyPercent) {
    invalid(path, 'maxHealthyPercent', maxHealthyPercent, `must be greater than minHealthyPercent (${minHealthyPercent}), or a deployment cannot replace any task`);
  }
  return { minHealthyPercent, maxHealthyPercent };
}

/** A desired count within the scaling bounds. */
function checkDesiredCount(path: string, desiredCount: number | undefined, scaling: ResolvedScaling): number | undefined {
  checkInteger(path, 'desiredCount', desiredCount, { min: 1 });
  if (desiredCount !== undefined && !Token.isUnresolved(desiredCount)
    && (desiredCount < scaling.minCapacity || desiredCount > scaling.maxCapacity)) {
    invalid(path, 'desiredCount', desiredCount, `must be within scaling.minCapacity and scaling.maxCapacity (${scaling.minCapacity} to ${scaling.maxCapacity})`);
  }
  return desiredCount;
}

/**
 * The architecture of a service told nothing else: Graviton, the cheaper one (about 20% off
 * the task; it is what brings the default under $36 a month idle, see "What it costs"),
 * except where x86 is the better guess or the only choice:
 * - with `fargateSpot`, because "Fargate Spot only supports Linux tasks with the X86_64
 *   architecture" (ECS Developer Guide, "Fargate capacity provider considerations");
 * - for an image the deploying machine may build for its own architecture, most often an x86
 *   CI runner: an image asset without `platform`, `fromDockerImageAsset`, `fromTarball`.
 *
 * A registry image built for x86 only (hello-app-runner is) exits at once on ARM64 with
 * "exec format error". The service's deployment circuit breaker (always on) then moves the
 * deployment to a failed state and stops launching tasks (CloudFormation,
 * "AWS::ECS::Service DeploymentCircuitBreaker") after at least 3 failed tasks, its minimum
 * threshold (ECS API reference, "ServiceDeploymentCircuitBreaker"), often more, as such a
 * task is first seen RUNNING; CloudFormation then fails the service ("ECS Deployment
 * Circuit Breaker was triggered") and rolls the stack back. The mistake shows at the first
 * deployment, after minutes rather than weeks, which is why ScheduledFargateEtl, whose first
 * run may come long after its deployment, keeps x86 for such images.
 */
function defaultArchitecture(props: LoadBalancedScalingServiceProps): ecs.CpuArchitecture {
  return props.fargateSpot || builtForDeployingMachine(props.image) ? ecs.CpuArchitecture.X86_64 : ecs.CpuArchitecture.ARM64;
}

/** With fargateSpot: a base of regular Fargate tasks, then `spotWeight` Spot tasks per regular one. */
function spotStrategies(
  path: string, props: Pick<LoadBalancedScalingServiceProps, 'fargateSpot' | 'onDemandBaseTasks' | 'spotWeight'>,
): ecs.CapacityProviderStrategy[] | undefined {
  if (!props.fargateSpot && (props.onDemandBaseTasks !== undefined || props.spotWeight !== undefined)) {
    invalid(path, props.onDemandBaseTasks !== undefined ? 'onDemandBaseTasks' : 'spotWeight',
      props.onDemandBaseTasks ?? props.spotWeight, 'only applies with fargateSpot: true');
  }
  const onDemandBaseTasks = checkInteger(path, 'onDemandBaseTasks', props.onDemandBaseTasks, { min: 0, max: 100000 }) ?? 1;
  const spotWeight = checkInteger(path, 'spotWeight', props.spotWeight, { min: 1, max: 1000 }) ?? 3;
  if (!props.fargateSpot) {
    return undefined;
  }
  return [
    { capacityProvider: 'FARGATE', base: onDemandBaseTasks, weight: 1 },
    { capacityProvider: 'FARGATE_SPOT', weight: spotWeight },
  ];
}
