import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Where a construct's tasks run: a VPC (new, given or looked up by name) or an existing
 * cluster. Shared by LoadBalancedScalingService, ScheduledFargateEtl and
 * WordpressFargateSite.
 */
export interface FargateNetworkProps {
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
   * An existing cluster to run in; its VPC is used.
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
}

/**
 * The Application Load Balancer in front of a web service: listener, HTTPS, domain
 * name, health checks and access logs. Shared by LoadBalancedScalingService and
 * WordpressFargateSite.
 */
export interface LoadBalancedFrontProps {
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
