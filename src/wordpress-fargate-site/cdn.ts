import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createLogBucket } from '../private/log-bucket';
import { acknowledgeNagFinding } from '../private/nag';

/**
 * The header the CDN sets to the visitor's address on every request (replacing any the
 * visitor sent), for the firewall's rate limit behind it.
 */
export const VIEWER_ADDRESS_HEADER = 'x-cfb-viewer-address';

/** The header the CDN puts into the cache key: 1 for visitors WordPress shows something of their own. */
const PERSONAL_HEADER = 'x-cfb-personal';

/**
 * Runs on every request before the cache: the visitor's address into a header of ours,
 * and whether WordPress knows the visitor (logged in, a protected post's password, a
 * comment left) into the cache key, so such visitors never get, nor leave, a page cached
 * for everybody. The same cookies as nginx's micro-cache bypass.
 */
const VIEWER_REQUEST_FUNCTION = `function handler(event) {
  var request = event.request;
  var personal = '0';
  for (var name in request.cookies) {
    if (/^(wordpress_logged_in_|wp-postpass_|comment_author_|wordpress_no_cache)/.test(name)) {
      personal = '1';
      break;
    }
  }
  request.headers['${PERSONAL_HEADER}'] = { value: personal };
  request.headers['${VIEWER_ADDRESS_HEADER}'] = { value: event.viewer.ip };
  return request;
}`;

/** Paths CloudFront always passes to WordPress: the administration, the login and what is never the same twice. */
const NEVER_CACHED = ['/wp-admin/*', '/wp-login.php', '/wp-signup.php', '/wp-json/*', '/xmlrpc.php', '/wp-cron.php', '/wp-comments-post.php'];
/** Error codes WordPress may answer one visitor with, which CloudFront would keep despite Cache-Control private. */
const PERSONAL_ERROR_CODES = [400, 403, 405, 500];
/** Static files of the core, themes, plugins and uploads. */
const STATIC_FILES = ['/wp-includes/*', '/wp-content/*'];

export interface SiteCdnOptions {
  /** The internal load balancer the CDN reaches through a VPC origin. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The port of its HTTP listener. */
  readonly listenerPort: number;
  /** A certificate in us-east-1 for `domainName`. */
  readonly certificate?: acm.ICertificate;
  readonly domainName?: string;
  readonly domainZone?: route53.IHostedZone;
  /** Whether a firewall guards the load balancer behind the distribution. */
  readonly firewall: boolean;
  /**
   * How long an edge keeps a response that names no lifetime of its own: an anonymous
   * page, as long as nginx's micro-cache keeps it (0: never).
   */
  readonly pageCacheTtl: Duration;
}

/**
 * A CloudFront distribution (`Cdn`) in front of the site. It reaches the load balancer,
 * which is internal, through a VPC origin: nothing outside the VPC but CloudFront
 * reaches the site.
 *
 * What an edge keeps: a response without a lifetime of its own (an anonymous page)
 * `pageCacheTtl`, as long as nginx's micro-cache, so a visitor sees a change after at
 * most about twice that; static files as nginx's `expires` says (7 days); nothing that
 * says `Cache-Control: private`, `no-cache` or `no-store` (nginx marks every response to
 * a visitor WordPress knows, to a POST, a preview or the administration private, and
 * WordPress marks its own no-cache responses), nor WordPress' 400, 403, 405 and 500
 * (CloudFront would keep those 10 s despite private); and the administration, the login
 * and the API paths never.
 */
export function createCdn(scope: Construct, options: SiteCdnOptions): cloudfront.Distribution {
  const origin = origins.VpcOrigin.withApplicationLoadBalancer(options.loadBalancer, {
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
    httpPort: options.listenerPort,
    // long enough for a slow page, within CloudFront's default quota
    readTimeout: Duration.seconds(60),
  });
  const viewerRequest = new cloudfront.Function(scope, 'CdnViewerRequest', {
    code: cloudfront.FunctionCode.fromInline(VIEWER_REQUEST_FUNCTION),
    runtime: cloudfront.FunctionRuntime.JS_2_0,
    comment: 'WordPress: the visitor\'s address, and whether the visitor has a page of their own',
  });
  const behavior = (cachePolicy: cloudfront.ICachePolicy): cloudfront.BehaviorOptions => ({
    origin,
    cachePolicy,
    originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_AND_CLOUDFRONT_2022,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    compress: true,
    functionAssociations: [{ function: viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
  });
  // minTtl 0 on both: CloudFront then keeps nothing the origin marks private, no-cache or no-store
  const pages = new cloudfront.CachePolicy(scope, 'CdnPagesCachePolicy', {
    comment: 'WordPress pages: as long as the micro-cache, per query string, apart for known visitors, never what is private',
    defaultTtl: options.pageCacheTtl,
    minTtl: Duration.seconds(0),
    maxTtl: Duration.days(1),
    headerBehavior: cloudfront.CacheHeaderBehavior.allowList(PERSONAL_HEADER),
    queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
    cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  });
  const staticFiles = new cloudfront.CachePolicy(scope, 'CdnStaticFilesCachePolicy', {
    comment: 'WordPress static files: as long as their headers say, per query string (the ?ver= of each release)',
    // a file without a lifetime (a PHP script of a plugin, a rare file type) is kept like a page
    defaultTtl: options.pageCacheTtl,
    minTtl: Duration.seconds(0),
    maxTtl: Duration.days(365),
    queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  });
  const distribution = new cloudfront.Distribution(scope, 'Cdn', {
    comment: `WordPress site ${scope.node.path}`,
    defaultBehavior: behavior(pages),
    additionalBehaviors: Object.fromEntries([
      ...NEVER_CACHED.map((path) => [path, behavior(cloudfront.CachePolicy.CACHING_DISABLED)]),
      ...STATIC_FILES.map((path) => [path, behavior(staticFiles)]),
    ]),
    // CloudFront keeps an error response of these codes 10 s whatever its Cache-Control says
    // (it honours private only on 404, 410, 414 and 501): WordPress writes them, maybe for
    // one visitor (a failed nonce, wp_die), so they are never kept. The 502, 503 and 504 of
    // the load balancer and nginx, the same for everybody, are kept the 10 s, which spares
    // a struggling origin.
    errorResponses: PERSONAL_ERROR_CODES.map((httpStatus) => ({ httpStatus, ttl: Duration.seconds(0) })),
    certificate: options.certificate,
    domainNames: options.domainName ? [options.domainName] : undefined,
    // only a certificate of one's own lets the distribution refuse TLS before 1.2
    minimumProtocolVersion: options.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    // CloudFront writes its standard logs with object ACLs, so this bucket keeps them on
    logBucket: createLogBucket(scope, 'CdnLogs', s3.ObjectOwnership.OBJECT_WRITER, 'the CDN\'s access logs'),
    logFilePrefix: 'cdn/',
  });
  if (options.domainName && options.domainZone) {
    new route53.ARecord(scope, 'CdnAlias', {
      zone: options.domainZone,
      recordName: options.domainName,
      target: route53.RecordTarget.fromAlias(new route53Targets.CloudFrontTarget(distribution)),
    });
  }
  acknowledgeNagFinding(distribution, 'AwsSolutions-CFR1',
    'A registration site is for everybody its owner invites; restrict countries with the distribution\'s geoRestriction if needed.');
  acknowledgeNagFinding(distribution, 'AwsSolutions-CFR2', options.firewall
    ? 'AWS WAF guards the load balancer behind the distribution (the firewall prop), which every request passes: CloudFront is its only way in.'
    : 'No firewall was asked for; the firewall prop puts AWS WAF on the load balancer that every request through the distribution passes.');
  if (!options.certificate) {
    acknowledgeNagFinding(distribution, 'AwsSolutions-CFR4',
      'Without a certificate of its own the distribution uses CloudFront\'s *.cloudfront.net certificate, whose security policy AWS fixes; '
      + 'give certificate (us-east-1) and domainName to require TLS 1.2.');
  }
  return distribution;
}
