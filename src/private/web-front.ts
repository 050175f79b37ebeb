import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { checkDuration, checkInteger, checkLength, checkLiteral, invalid } from './validation';
import { LoadBalancedFrontProps } from '../common/load-balancer-props';

/** The front props as the shared code reads them; each construct sets its own health check path. */
export interface WebFrontProps extends LoadBalancedFrontProps {
  readonly healthCheckPath?: string;
  readonly healthCheckGracePeriod?: Duration;
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
  readonly healthCheckGracePeriod: Duration;
  readonly deregistrationDelay: Duration;
  readonly accessLogs: boolean;
  readonly idleTimeout: Duration;
}

/** What a construct decides for the load balancer props it does not get. */
export interface WebFrontDefaults {
  readonly healthCheckPath: string;
  readonly healthCheckGracePeriod: Duration;
  readonly idleTimeout: Duration;
}

/** Checks the shared load balancer props and applies the defaults. */
export function resolveWebFront(scope: Construct, props: WebFrontProps, defaults: WebFrontDefaults): WebFront {
  const path = scope.node.path;
  const https = props.certificate !== undefined;
  const listenerPort = checkInteger(path, 'listenerPort', props.listenerPort, { min: 1, max: 65535 }) ?? (https ? 443 : 80);
  if (props.redirectHttp && !https) {
    invalid(path, 'redirectHttp', props.redirectHttp, 'needs a certificate: without HTTPS there is nothing to redirect to');
  }
  const redirectHttp = props.redirectHttp ?? https;
  if (redirectHttp) {
    checkLiteral(path, 'listenerPort', props.listenerPort, 'HTTP on port 80 redirects to it and aws-cdk-lib writes that redirect at synth time (or set redirectHttp to false)');
  }
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
  // AWS::ElasticLoadBalancingV2::TargetGroup HealthCheckPath: 1 to 1,024 characters
  checkLength(path, 'healthCheckPath', healthCheckPath, { min: 1, max: 1024, why: 'the limit of Elastic Load Balancing' });
  const healthyHttpCodes = props.healthyHttpCodes ?? '200';
  if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(healthyHttpCodes)
    || healthyHttpCodes.match(/\d{3}/g)!.some((c) => Number(c) < 200 || Number(c) > 499)) {
    invalid(path, 'healthyHttpCodes', healthyHttpCodes, 'must be HTTP codes from 200 to 499, comma-separated or as ranges, for example "200", "200,401" or "200-299"');
  }
  const healthCheckInterval = props.healthCheckInterval ?? Duration.seconds(10);
  checkDuration(path, 'healthCheckInterval', healthCheckInterval, { min: 5, max: 300, literal: 'the health check timeout is computed from it' });
  const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(30);
  checkDuration(path, 'deregistrationDelay', deregistrationDelay, { min: 0, max: 3600 });
  // ECS CreateService healthCheckGracePeriodSeconds: 0 to 2,147,483,647
  const healthCheckGracePeriod = props.healthCheckGracePeriod ?? defaults.healthCheckGracePeriod;
  checkDuration(path, 'healthCheckGracePeriod', healthCheckGracePeriod, { min: 0, max: 2147483647 });

  if (props.accessLogsBucket?.encryptionKey) {
    invalid(path, 'accessLogsBucket', props.accessLogsBucket.node.path,
      'must be encrypted with SSE-S3 (s3.BucketEncryption.S3_MANAGED): Elastic Load Balancing cannot write access logs to a bucket with a KMS key');
  }
  if (props.accessLogs === false && props.accessLogsBucket) {
    invalid(path, 'accessLogsBucket', props.accessLogsBucket.node.path, 'is given but accessLogs is false; drop one of them');
  }
  const idleTimeout = props.idleTimeout ?? defaults.idleTimeout;
  checkDuration(path, 'idleTimeout', idleTimeout, { min: 1, max: 4000, literal: 'aws-cdk-lib checks it at synth time' });

  return {
    https,
    listenerPort,
    redirectHttp,
    sslPolicy: https ? props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
    healthCheckPath,
    healthyHttpCodes,
    healthCheckInterval,
    healthCheckGracePeriod,
    deregistrationDelay,
    accessLogs: props.accessLogs ?? true,
    idleTimeout,
  };
}
