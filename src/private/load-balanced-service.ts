import { Aws, CfnCondition, CfnMapping, CfnResource, Duration, Fn, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { anyOfConditions } from './conditions';
import { createLogBucket } from './log-bucket';
import { acknowledgeNagFinding } from './nag';
import { inPublicSubnets, vpcCidrOf } from './network';
import { applyServiceScaling, ResolvedScaling } from './scaling';
import { WebFront } from './web-front';

/**
 * The Fargate service behind an Application Load Balancer that LoadBalancedScalingService
 * and WordpressFargateSite share: one place for the load balancer, its listeners, the
 * target group and its health check, the service's deployment settings and its scaling.
 */
export interface LoadBalancedServiceOptions {
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The checked load balancer settings. */
  readonly front: WebFront;
  /** The checked scaling settings. */
  readonly scaling: ResolvedScaling;

  /** A load balancer to add the listener to, instead of a new one. */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /** Whether the load balancer created is internet-facing (ignored with `loadBalancer`). */
  readonly publicLoadBalancer: boolean;
  /**
   * Who an internal load balancer the construct creates admits on its listener ports.
   *
   * @default - its VPC's address range
   */
  readonly internalIngress?: { readonly peer: ec2.IPeer; readonly description: string };
  readonly certificate?: acm.ICertificate;
  readonly domainName?: string;
  readonly domainZone?: route53.IHostedZone;
  /** The bucket for the access logs of the load balancer created. */
  readonly accessLogsBucket?: s3.IBucket;

  readonly serviceName?: string;
  /** Tasks set on every deployment; undefined keeps what auto scaling chose. */
  readonly desiredCount?: number;
  readonly minHealthyPercent: number;
  readonly maxHealthyPercent: number;
  readonly taskSubnets?: ec2.SubnetSelection;
  readonly enableExecuteCommand?: boolean;
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];
}

/** What the building block created, for the construct's public members. */
export interface LoadBalancedService {
  readonly loadBalancedService: ecsPatterns.ApplicationLoadBalancedFargateService;
  readonly service: ecs.FargateService;
  /** The load balancer given, or the one created. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The load balancer created; undefined when one was given. */
  readonly createdLoadBalancer?: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly redirectListener?: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly accessLogsBucket?: s3.IBucket;
  readonly scalableTaskCount: ecs.ScalableTaskCount;
  /** Where users reach the service: the domain name, or the load balancer's DNS name. */
  readonly url: string;
}

/**
 * Creates the service (`Service`, an aws-ecs-patterns ApplicationLoadBalancedFargateService)
 * in `scope`: tasks that only the load balancer reaches (with a public IP only when asked), rolled back
 * by the deployment circuit breaker, on the latest Fargate platform; the load balancer
 * created hardened and logging; the target group's health check; auto scaling.
 */
export function createLoadBalancedService(scope: Construct, options: LoadBalancedServiceOptions): LoadBalancedService {
  const { front } = options;
  const publicLoadBalancer = options.loadBalancer ? undefined : options.publicLoadBalancer;
  const loadBalancedService = new ecsPatterns.ApplicationLoadBalancedFargateService(scope, 'Service', {
    cluster: options.cluster,
    taskDefinition: options.taskDefinition,
    serviceName: options.serviceName,
    desiredCount: options.desiredCount,
    minHealthyPercent: options.minHealthyPercent,
    maxHealthyPercent: options.maxHealthyPercent,
    circuitBreaker: { rollback: true },
    platformVersion: ecs.FargatePlatformVersion.LATEST,
    // a public IP in public subnets, their only way out (inPublicSubnets); the tasks'
    // security group admits the load balancer alone either way (aws-ecs-patterns)
    assignPublicIp: inPublicSubnets(options.cluster.vpc, options.taskSubnets),
    taskSubnets: options.taskSubnets,
    healthCheckGracePeriod: front.healthCheckGracePeriod,
    enableExecuteCommand: options.enableExecuteCommand,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
    enableECSManagedTags: true,
    capacityProviderStrategies: options.capacityProviderStrategies,
    loadBalancer: options.loadBalancer,
    publicLoadBalancer,
    // only a public load balancer the construct creates admits 0.0.0.0/0: an internal one
    // admits its VPC (below), and one given keeps the rules its owner chose
    openListener: publicLoadBalancer === true,
    idleTimeout: options.loadBalancer ? undefined : front.idleTimeout,
    listenerPort: front.listenerPort,
    certificate: options.certificate,
    sslPolicy: front.sslPolicy,
    redirectHTTP: front.redirectHttp,
    domainName: options.domainName,
    domainZone: options.domainZone,
  });
  const service = loadBalancedService.service;
  if (options.capacityProviderStrategies && options.cluster instanceof ecs.Cluster) {
    // CloudFormation must associate the Fargate capacity providers with the cluster
    // before it creates a service that names them; aws-cdk-lib adds no such dependency.
    // The association is a child of the cluster (created at synthesis by an aspect).
    service.node.defaultChild!.node.addDependency(options.cluster);
  }
  if (options.desiredCount === undefined) {
    // Without DesiredCount, CloudFormation starts the service with one task and later
    // deployments keep whatever number auto scaling has chosen (independent of the
    // @aws-cdk/aws-ecs-patterns:removeDefaultDesiredCount feature flag).
    (service.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
  }

  const createdLoadBalancer = options.loadBalancer ? undefined : loadBalancedService.loadBalancer;
  const accessLogsBucket = createdLoadBalancer
    ? configureCreatedLoadBalancer(scope, createdLoadBalancer, options)
    : undefined;
  configureTargets(loadBalancedService.targetGroup, front);

  const loadBalancer = options.loadBalancer ?? loadBalancedService.loadBalancer;
  return {
    loadBalancedService,
    service,
    loadBalancer,
    createdLoadBalancer,
    listener: loadBalancedService.listener,
    redirectListener: loadBalancedService.redirectListener,
    targetGroup: loadBalancedService.targetGroup,
    accessLogsBucket,
    scalableTaskCount: applyServiceScaling(service, options.scaling, loadBalancedService.targetGroup),
    url: webUrl(front, options.domainName ?? loadBalancer.loadBalancerDnsName),
  };
}

/**
 * What a load balancer the construct created gets: an internal one admits its VPC, a
 * public one the internet (acknowledged for cdk-nag); invalid HTTP headers are dropped;
 * access logs go to the bucket given or a new one. Returns the bucket.
 */
function configureCreatedLoadBalancer(
  scope: Construct, loadBalancer: elbv2.ApplicationLoadBalancer, options: LoadBalancedServiceOptions,
): s3.IBucket | undefined {
  const { front } = options;
  if (options.publicLoadBalancer) {
    acknowledgeNagFinding(loadBalancer, 'AwsSolutions-EC23',
      'An internet-facing load balancer must admit 0.0.0.0/0 on its listener ports; the tasks behind it admit only the load balancer.');
  } else {
    const ports = front.redirectHttp ? [front.listenerPort, 80] : [front.listenerPort];
    const ingress = options.internalIngress ?? {
      peer: ec2.Peer.ipv4(vpcCidrOf(loadBalancer.vpc!, scope.node.path, 'an internal load balancer admits the VPC\'s address range on its listener ports')),
      description: 'from the VPC',
    };
    for (const port of ports) {
      loadBalancer.connections.allowFrom(ingress.peer, ec2.Port.tcp(port), ingress.description);
    }
    if (!options.internalIngress) {
      acknowledgeNagFinding(loadBalancer, 'AwsSolutions-EC23',
        'An internal load balancer admits its own VPC\'s address range on its listener ports, never 0.0.0.0/0; '
        + 'the range is a CloudFormation reference, which cdk-nag cannot evaluate.');
    }
  }
  loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
  if (!front.accessLogs) {
    return undefined;
  }
  const bucket = options.accessLogsBucket ?? createLogBucket(scope, 'AccessLogs', s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, 'the load balancer\'s access logs');
  if (Token.isUnresolved(Stack.of(scope).region)) {
    logAccessLogsInAnyRegion(loadBalancer, bucket);
  } else {
    loadBalancer.logAccessLogs(bucket);
  }
  return bucket;
}

/**
 * Access logs in an environment-agnostic stack, where aws-cdk-lib's logAccessLogs needs
 * the region to pick Elastic Load Balancing's identity. The bucket policy grants both
 * identities AWS documents: the log delivery service principal (regions opened in or
 * after August 2022) and, in the regions opened before, Elastic Load Balancing's account
 * of that region, chosen at deploy time from a mapping of aws-cdk-lib's region facts
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
 * Elsewhere that second statement names the stack's own account, which owns the bucket anyway.
 */
function logAccessLogsInAnyRegion(loadBalancer: elbv2.ApplicationLoadBalancer, bucket: s3.IBucket): void {
  const stack = Stack.of(loadBalancer);
  loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
  loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  loadBalancer.setAttribute('access_logs.s3.prefix', '');
  const logs = bucket.arnForObjects(`AWSLogs/${stack.account}/*`);
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
    resources: [logs],
  }));
  const regionalAccount = elbLogDeliveryAccount(stack);
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [new iam.ArnPrincipal(`arn:${stack.partition}:iam::${regionalAccount}:root`)],
    resources: [logs],
  }));
  // the load balancer checks that it may write to the bucket when it is configured
  const policy = bucket.policy?.node.defaultChild;
  if (policy instanceof CfnResource) {
    (loadBalancer.node.defaultChild as CfnResource).addResourceDependency(policy);
  }
}

/**
 * Elastic Load Balancing's account in the deployment's region when the region has one
 * (regions opened before August 2022), else the stack's own account: one mapping and one
 * condition per stack, shared by every load balancer in it.
 */
function elbLogDeliveryAccount(stack: Stack): string {
  const id = 'CfbElbLogDelivery';
  const regions = RegionInfo.regions.filter((r) => r.elbv2Account);
  const mapping = (stack.node.tryFindChild(`${id}Accounts`) as CfnMapping | undefined) ?? new CfnMapping(stack, `${id}Accounts`, {
    mapping: Object.fromEntries(regions.map((r) => [r.name, { account: r.elbv2Account! }])),
  });
  const condition = (stack.node.tryFindChild(`${id}AccountRegion`) as CfnCondition | undefined) ?? new CfnCondition(stack, `${id}AccountRegion`, {
    expression: anyOfConditions(regions.map((r) => Fn.conditionEquals(Aws.REGION, r.name))),
  });
  return Fn.conditionIf(condition.logicalId, mapping.findInMap(Aws.REGION, 'account'), Aws.ACCOUNT_ID).toString();
}

/**
 * The target group's health check and deregistration delay: two passing checks at
 * the interval put a task into service, three failing ones take it out.
 */
function configureTargets(targetGroup: elbv2.ApplicationTargetGroup, front: WebFront): void {
  const interval = front.healthCheckInterval;
  targetGroup.configureHealthCheck({
    path: front.healthCheckPath,
    healthyHttpCodes: front.healthyHttpCodes,
    interval,
    timeout: Duration.seconds(Math.min(5, interval.toSeconds() - 1)),
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 3,
  });
  // a token too (Duration.seconds(parameter.valueAsNumber)): String() would render its encoding
  targetGroup.setAttribute('deregistration_delay.timeout_seconds', Tokenization.stringifyNumber(front.deregistrationDelay.toSeconds()));
}

/** The URL users reach the site at: the domain name, or the load balancer's DNS name. */
function webUrl(front: WebFront, host: string): string {
  const defaultPort = front.https ? 443 : 80;
  return `${front.https ? 'https' : 'http'}://${host}${front.listenerPort === defaultPort ? '' : `:${front.listenerPort}`}`;
}
