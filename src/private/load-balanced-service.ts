import { Duration, RemovalPolicy, Tokenization } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from './nag';
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
 * in `scope`: tasks without public IPs that only the load balancer reaches, rolled back
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
    assignPublicIp: false,
    taskSubnets: options.taskSubnets,
    healthCheckGracePeriod: front.healthCheckGracePeriod,
    enableExecuteCommand: options.enableExecuteCommand,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
    enableECSManagedTags: true,
    capacityProviderStrategies: options.capacityProviderStrategies,
    loadBalancer: options.loadBalancer,
    publicLoadBalancer,
    // an internal load balancer admits the VPC only (below), not 0.0.0.0/0
    openListener: options.loadBalancer ? true : publicLoadBalancer,
    listenerPort: front.listenerPort,
    certificate: options.certificate,
    sslPolicy: front.sslPolicy,
    redirectHTTP: front.redirectHttp,
    domainName: options.domainName,
    domainZone: options.domainZone,
  });
  const service = loadBalancedService.service;
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
    loadBalancer.connections.allowFrom(ec2.Peer.ipv4(loadBalancer.vpc!.vpcCidrBlock), ec2.Port.tcp(front.listenerPort), 'from the VPC');
  }
  loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
  if (!front.accessLogs) {
    return undefined;
  }
  const bucket = options.accessLogsBucket ?? createAccessLogsBucket(scope);
  loadBalancer.logAccessLogs(bucket);
  return bucket;
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

function createAccessLogsBucket(scope: Construct): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeNagFinding(bucket, 'AwsSolutions-S1',
    'This bucket only receives the load balancer\'s access logs; logging access to it would need yet another bucket.');
  return bucket;
}
