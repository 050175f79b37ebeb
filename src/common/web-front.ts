import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from './nag';
import { LoadBalancedFrontProps } from './shared-props';
import { checkInteger, invalid } from './validation';

/** The front props as the shared code reads them; each construct sets its own health check path. */
export interface WebFrontProps extends LoadBalancedFrontProps {
  readonly healthCheckPath?: string;
}

/** The validated settings, defaults applied. */
export interface WebFront {
  readonly https: boolean;
  readonly listenerPort: number;
  readonly redirectHttp: boolean;
  readonly sslPolicy?: elbv2.SslPolicy;
  readonly healthCheckPath: string;
  readonly healthyHttpCodes: string;
  readonly healthCheckInterval: Duration;
  readonly deregistrationDelay: Duration;
  readonly accessLogs: boolean;
}

/**
 * Checks the shared load balancer props and applies the defaults. In a stack without a
 * region, access logs are off unless asked for (which is an error), with a warning
 * under `warningId`.
 */
export function resolveWebFront(scope: Construct, props: WebFrontProps, defaults: { healthCheckPath: string; warningId: string }): WebFront {
  const path = scope.node.path;
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
  const healthCheckPath = props.healthCheckPath ?? defaults.healthCheckPath;
  if (!healthCheckPath.startsWith('/')) {
    invalid(path, 'healthCheckPath', healthCheckPath, 'must start with "/"');
  }
  const healthyHttpCodes = props.healthyHttpCodes ?? '200';
  if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(healthyHttpCodes)
    || healthyHttpCodes.match(/\d{3}/g)!.some((c) => Number(c) < 200 || Number(c) > 499)) {
    invalid(path, 'healthyHttpCodes', healthyHttpCodes, 'must be HTTP codes from 200 to 499, comma-separated or as ranges, for example "200", "200,401" or "200-299"');
  }
  const healthCheckInterval = props.healthCheckInterval ?? Duration.seconds(10);
  checkInteger(path, 'healthCheckInterval (seconds)', healthCheckInterval.toSeconds(), { min: 5, max: 300 });
  const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(30);
  checkInteger(path, 'deregistrationDelay (seconds)', deregistrationDelay.toSeconds(), { min: 0, max: 3600 });

  if (props.accessLogs === false && props.accessLogsBucket) {
    invalid(path, 'accessLogsBucket', props.accessLogsBucket.node.path, 'is given but accessLogs is false; drop one of them');
  }
  const stack = Stack.of(scope);
  const regionKnown = !Token.isUnresolved(stack.region);
  if (!regionKnown && (props.accessLogs || props.accessLogsBucket)) {
    invalid(path, props.accessLogs ? 'accessLogs' : 'accessLogsBucket', props.accessLogs ?? props.accessLogsBucket!.node.path,
      `needs the region of stack ${stack.node.path}, because Elastic Load Balancing delivers access logs with a regional identity; set env: { region } on the stack (no credentials needed)`);
  }
  if (props.accessLogs === undefined && !regionKnown) {
    Annotations.of(scope).addWarningV2(defaults.warningId,
      `The load balancer writes no access logs: stack ${stack.node.path} has no region, and Elastic Load Balancing delivers access logs with a regional identity. `
      + 'Set env: { region } on the stack (no credentials needed), or accessLogs: false to accept this.');
  }

  return {
    https,
    listenerPort,
    redirectHttp,
    sslPolicy: https ? props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
    healthCheckPath,
    healthyHttpCodes,
    healthCheckInterval,
    deregistrationDelay,
    accessLogs: props.accessLogs ?? regionKnown,
  };
}

/**
 * What a load balancer the construct created gets: invalid HTTP headers dropped and,
 * when on, access logs (to the bucket given or to a new one). Returns the bucket.
 */
export function finishLoadBalancer(
  scope: Construct, loadBalancer: elbv2.ApplicationLoadBalancer, front: WebFront, bucket?: s3.IBucket,
): s3.IBucket | undefined {
  loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
  if (!front.accessLogs) {
    return undefined;
  }
  const accessLogsBucket = bucket ?? createAccessLogsBucket(scope);
  loadBalancer.logAccessLogs(accessLogsBucket);
  return accessLogsBucket;
}

/**
 * The target group's health check and deregistration delay: two passing checks at
 * the interval put a task into service, three failing ones take it out.
 */
export function configureTargets(targetGroup: elbv2.ApplicationTargetGroup, front: WebFront): void {
  const interval = front.healthCheckInterval;
  targetGroup.configureHealthCheck({
    path: front.healthCheckPath,
    healthyHttpCodes: front.healthyHttpCodes,
    interval,
    timeout: Duration.seconds(Math.min(5, interval.toSeconds() - 1)),
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 3,
  });
  targetGroup.setAttribute('deregistration_delay.timeout_seconds', String(front.deregistrationDelay.toSeconds()));
}

/** The URL users reach the site at: the domain name, or the load balancer's DNS name. */
export function webUrl(front: WebFront, host: string): string {
  const defaultPort = front.https ? 443 : 80;
  return `${front.https ? 'https' : 'http'}://${host}${front.listenerPort === defaultPort ? '' : `:${front.listenerPort}`}`;
}

/** Acknowledges the one cdk-nag finding an internet-facing load balancer cannot avoid. */
export function acknowledgeOpenLoadBalancer(loadBalancer: elbv2.IApplicationLoadBalancer): void {
  acknowledgeNagFinding(loadBalancer, 'AwsSolutions-EC23',
    'An internet-facing load balancer must admit 0.0.0.0/0 on its listener ports; the tasks behind it admit only the load balancer.');
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
