import { Annotations, Aws, CfnCondition, CfnResource, Duration, Fn, Names, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IDependable } from 'constructs';
import { anyOfConditions } from '../private/conditions';
import { createLogBucket } from '../private/log-bucket';
import { acknowledgeAwsCustomResourceProvider, acknowledgeNagFinding } from '../private/nag';
import { invalid } from '../private/validation';

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
/** Where in the log bucket the CDN's standard logs go. */
const LOG_PREFIX = 'cdn/';

/**
 * The regions that offer CloudFront VPC origins (CloudFront Developer Guide, "Restrict
 * access with VPC origins", Supported AWS Regions for VPC origins).
 */
export const VPC_ORIGIN_REGIONS = [
  'us-east-2', 'us-east-1', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1', 'ap-south-2',
  'ap-southeast-3', 'ap-southeast-4', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1',
  'ap-northeast-2', 'ap-southeast-7', 'ap-southeast-5', 'ap-east-2', 'ca-central-1', 'ca-west-1', 'eu-central-1',
  'eu-west-1', 'eu-west-2', 'eu-south-1', 'eu-west-3', 'eu-south-2', 'eu-north-1', 'eu-central-2', 'il-central-1',
  'me-south-1', 'me-central-1', 'sa-east-1', 'mx-central-1',
];

/**
 * CloudFront's origin-facing servers, the source the requests of a VPC origin arrive
 * from at the load balancer (CloudFront Developer Guide, "Restrict access with VPC
 * origins": allow the CloudFront managed prefix list, or the CloudFront-VPCOrigins-Service-SG
 * that exists only once the VPC origin does). The list counts as 55 rules of the 60 a
 * security group holds (VPC User Guide, "AWS-managed prefix lists", weight).
 */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

/**
 * CloudFront's origin-facing prefix list as a security group peer. Its id differs per
 * region, so a custom resource (`CdnOriginFacingPrefixList`) asks EC2 for it at deploy
 * time (DescribeManagedPrefixLists), which also works in an environment-agnostic stack.
 */
export function cloudFrontOriginFacing(scope: Construct): ec2.IPeer {
  const describe: cr.AwsSdkCall = {
    service: 'EC2',
    action: 'describeManagedPrefixLists',
    parameters: { Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST] }] },
    physicalResourceId: cr.PhysicalResourceId.fromResponse('PrefixLists.0.PrefixListId'),
    outputPaths: ['PrefixLists.0.PrefixListId'],
  };
  const lookup = new cr.AwsCustomResource(scope, 'CdnOriginFacingPrefixList', {
    onCreate: describe,
    onUpdate: describe,
    // DescribeManagedPrefixLists supports no resource-level permissions
    policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] })]),
    installLatestAwsSdk: false,
  });
  acknowledgeAwsCustomResourceProvider(lookup);
  acknowledgeNagFinding(lookup, 'AwsSolutions-IAM5[Resource::*]',
    'ec2:DescribeManagedPrefixLists supports no resource-level permissions; the call only reads the id of CloudFront\'s public prefix list.');
  return ec2.Peer.prefixList(lookup.getResponseField('PrefixLists.0.PrefixListId'));
}

export interface SiteCdnOptions {
  /** The internal load balancer the CDN reaches through a VPC origin. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The port of its HTTP listener. */
  readonly listenerPort: number;
  /** How long CloudFront waits for the load balancer's response. */
  readonly originReadTimeout: Duration;
  /** What the VPC origin must be created after: the VPC's internet gateway attachment. */
  readonly internetConnectivity: IDependable;
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
    // VPC origins share one namespace per account, across regions: the region keeps the
    // names of one stack deployed to two regions apart (at most 64 characters)
    vpcOriginName: `${Names.uniqueResourceName(scope, { maxLength: 64 - 15, separator: '-' })}-${Aws.REGION}`,
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
    httpPort: options.listenerPort,
    readTimeout: options.originReadTimeout,
    // For GET and HEAD, CloudFront tries a request that timed out again, as often as the
    // connection attempts allow (CloudFront Developer Guide, "Response timeout"): a page
    // slower than the timeout would run in PHP three times, in a rush. Once.
    connectionAttempts: 1,
    // CloudFront closes an idle connection after 5 s, long before the load balancer's idle timeout
    keepaliveTimeout: Duration.seconds(5),
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
  // One custom cache policy per site (an account may have 20), for pages and static files
  // alike (CloudFront's managed policies that honour the origin's lifetime key on every
  // cookie, which would split the static files' cache per visitor). A response without a
  // lifetime of its own (an anonymous page, a plugin's PHP script) is kept pageCacheTtl;
  // static files as long as nginx says (7 days, also the maximum); minTtl 0, so CloudFront
  // keeps nothing the origin marks private, no-cache or no-store.
  const pages = new cloudfront.CachePolicy(scope, 'CdnPagesCachePolicy', {
    comment: 'WordPress: pages as long as the micro-cache, files as nginx says, per query string, apart for known visitors, never private',
    defaultTtl: options.pageCacheTtl,
    minTtl: Duration.seconds(0),
    maxTtl: Duration.days(7),
    headerBehavior: cloudfront.CacheHeaderBehavior.allowList(PERSONAL_HEADER),
    queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
    cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  });
  const logBucket = logsDelivered(scope) ? createLogBucket(scope, 'CdnLogs', s3.ObjectOwnership.OBJECT_WRITER, 'the CDN\'s access logs') : undefined;
  const distribution = new cloudfront.Distribution(scope, 'Cdn', {
    comment: `WordPress site ${scope.node.path}`,
    defaultBehavior: behavior(pages),
    additionalBehaviors: Object.fromEntries([
      ...NEVER_CACHED.map((path) => [path, behavior(cloudfront.CachePolicy.CACHING_DISABLED)]),
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
    // CloudFront writes its standard logs with object ACLs: the bucket keeps them on
    logBucket,
    logFilePrefix: LOG_PREFIX,
  });
  if (logBucket && Token.isUnresolved(Stack.of(scope).region)) {
    // deployed to a region only known then: neither logs nor their bucket where CloudFront delivers none
    const condition = logRegionCondition(Stack.of(scope));
    (distribution.node.defaultChild as cloudfront.CfnDistribution).addPropertyOverride('DistributionConfig.Logging',
      Fn.conditionIf(condition.logicalId, { Bucket: logBucket.bucketRegionalDomainName, Prefix: LOG_PREFIX }, Aws.NO_VALUE));
    for (const resource of [logBucket.node.defaultChild, logBucket.policy?.node.defaultChild]) {
      if (resource instanceof CfnResource) {
        resource.cfnOptions.condition = condition;
      }
    }
  }
  // a VPC origin needs an internet gateway attached to its VPC (CloudFront Developer Guide,
  // "Restrict access with VPC origins", Prerequisites); CloudFormation must not race it
  for (const vpcOrigin of distribution.node.findAll().filter((c): c is cloudfront.CfnVpcOrigin => c instanceof cloudfront.CfnVpcOrigin)) {
    vpcOrigin.node.addDependency(options.internetConnectivity);
  }
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

/**
 * The opt-in regions, where CloudFront delivers no standard logs to a bucket (CloudFront
 * Developer Guide, "Standard logging (legacy)": choosing a bucket), as aws-cdk-lib's region
 * facts know them.
 */
const OPT_IN_REGIONS = RegionInfo.regions.filter((r) => r.isOptInRegion).map((r) => r.name);

/**
 * Whether the CDN gets standard logs: not in an opt-in region, said once at synth (info);
 * in an environment-agnostic stack a condition decides at deploy time.
 */
function logsDelivered(scope: Construct): boolean {
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && OPT_IN_REGIONS.includes(region)) {
    Annotations.of(scope).addInfo(`The CDN writes no standard logs: CloudFront delivers none to a bucket in ${region}, an opt-in region. `
      + 'The load balancer\'s access logs still record every request that reaches the site.');
    return false;
  }
  return true;
}

/** One condition per stack: the region is not an opt-in region. */
function logRegionCondition(stack: Stack): CfnCondition {
  const id = 'CfbCdnLogsDelivered';
  return (stack.node.tryFindChild(id) as CfnCondition | undefined) ?? new CfnCondition(stack, id, {
    expression: Fn.conditionNot(anyOfConditions(OPT_IN_REGIONS.map((r) => Fn.conditionEquals(Aws.REGION, r)))),
  });
}

/**
 * Refuses a region that has no VPC origins, when the region is known.
 */
export function checkVpcOriginRegion(sitePath: string, scope: Construct): void {
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && !VPC_ORIGIN_REGIONS.includes(region)) {
    invalid(sitePath, 'cdn', true, `needs a region that offers CloudFront VPC origins, and the stack's region ${region} does not `
      + `(they are offered in ${VPC_ORIGIN_REGIONS.join(', ')}); `
      + 'deploy the site to one of them or drop cdn');
  }
}
