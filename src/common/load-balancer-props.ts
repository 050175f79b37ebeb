import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The Application Load Balancer in front of a web service: listener, HTTPS, domain
 * name, health checks and access logs. Shared by LoadBalancedScalingService and
 * WordpressFargateSite.
 */
export interface LoadBalancedFrontProps {
  /**
   * Whether the load balancer the construct creates is internet-facing. An internal
   * one admits traffic from its VPC's address range only.
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
   * A domain name for the site, written as an alias record into `domainZone`.
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
   * How long the load balancer lets in-flight requests of a deregistered task finish.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * Whether the load balancer the construct creates writes access logs to S3.
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
}
