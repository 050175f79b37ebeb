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
   * Elastic Load Balancing delivers them with an identity that depends on the region
   * (an AWS account of its own in regions opened before August 2022, a service principal
   * in later ones). In a stack whose `env` names the region the bucket policy grants that
   * identity; in an environment-agnostic stack it grants the service principal and, in
   * the older regions, the regional account, chosen by CloudFormation at deploy time.
   *
   * @default true
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

  /**
   * How long the load balancer the construct creates keeps a connection open without
   * data, from 1 second to 4,000 seconds (66 minutes). A request that sends or receives
   * nothing for longer is cut with a 504.
   *
   * @default - the construct's: 60 seconds for a LoadBalancedScalingService; for a
   * WordpressFargateSite 660 seconds, so that a PHP request may run as long as PHP allows
   * (600 seconds) and still reach the visitor
   */
  readonly idleTimeout?: Duration;
}
