import { ExpectedResult, FetchOptions, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { assertFreshWordpress, HEAD_NO_REDIRECT, integApp, INTEG_PARAMETER_ROOT, SNAPSHOT_OPTIONS, valuesOf, WORDPRESS_START_RETRY } from './util';
import { WordpressFargateSite } from '../src';

/**
 * The WordPress site as the README's rush recipe builds it, behind CloudFront with a
 * firewall, in an environment-agnostic stack (no account or region at synth time, the
 * way a stack that is deployed to several accounts is written). Deletion protection is
 * off and everything is destroyed afterwards.
 *
 * The assertions prove what only a deployment shows:
 * - CloudFront reaches the internal load balancer through its VPC origin: nginx's health
 *   check answers through the distribution;
 * - nginx believes CloudFront's CloudFront-Forwarded-Proto: WordPress sends visitors to
 *   its installer with an https link on the distribution's name;
 * - a page (WordPress' installer) and a static file come back 200 through CloudFront,
 *   static files from CloudFront's cache with the lifetime nginx gives them;
 * - the firewall lets a logged-in editor's HTML through to the REST API (the block
 *   editor's save), and blocks the same body posted without the login cookie;
 * - the load balancer is internal and the web ACL guards it;
 * - the access logs of the environment-agnostic stack reach their bucket: Elastic Load
 *   Balancing wrote its test object under the bucket policy the construct made from a
 *   region mapping (a wrong policy fails the deployment itself).
 */
const ROOT = `${INTEG_PARAMETER_ROOT}/wordpress-fargate-site-rush`;

const app = integApp();
const stack = new Stack(app, 'WordpressFargateSiteRushTest');

const site = new WordpressFargateSite(stack, 'Blog', {
  removalPolicy: RemovalPolicy.DESTROY,
  database: { deletionProtection: false },
  scaling: { minCapacity: 1, maxCapacity: 2 },
  pageCacheTtl: Duration.seconds(10),
  cdn: true,
  firewall: {},
});
// the test sends no request that runs longer than CloudFront waits (60 s)
Annotations.of(site).acknowledgeWarning('cdk-fargate-blueprints:WordpressFargateSite.cdnOriginReadTimeoutBelowPhpLimit', 'no long request in the test');
const published = {
  'url': site.url,
  'load-balancer': site.loadBalancer.loadBalancerArn,
  'web-acl': site.firewallWebAcl!.attrArn,
  'access-logs': site.accessLogsBucket!.bucketName,
};
for (const [name, value] of Object.entries(published)) {
  new ssm.StringParameter(stack, `Published-${name}`, { parameterName: `${ROOT}/${name}`, stringValue: value });
}

const integ = new IntegTest(app, 'WordpressFargateSiteRushIntegTest', { testCases: [stack], ...SNAPSHOT_OPTIONS });
const assertions = integ.assertions;
const valueOf = (name: keyof typeof published) => assertions.awsApiCall('SSM', 'getParameter', { Name: `${ROOT}/${name}` }).getAttString('Parameter.Value');
const url = valueOf('url');
// CloudFront -> VPC origin -> internal load balancer (through the web ACL) -> nginx, and
// WordPress, which reached the database, builds https links on the distribution's name
assertFreshWordpress(assertions, url, '^https://[a-z0-9]+\\.cloudfront\\.net/wp-admin/install\\.php$');

// a static file: kept by CloudFront as long as nginx says; the retry's second request hits
assertions.httpApiCall(`${url}/wp-includes/css/dashicons.min.css`, HEAD_NO_REDIRECT)
  .expect(ExpectedResult.objectLike({
    status: 200,
    headers: Match.objectLike({
      'content-type': ['text/css'],
      'cache-control': ['max-age=604800'],
      'x-cache': ['Hit from cloudfront'],
    }),
  }))
  .waitForAssertions(WORDPRESS_START_RETRY);

// a page: WordPress' installer, rendered by PHP, through CloudFront
assertions.httpApiCall(`${url}/wp-admin/install.php`, HEAD_NO_REDIRECT)
  .expect(ExpectedResult.objectLike({ status: 200, headers: Match.objectLike({ 'content-type': [Match.stringLikeRegexp('^text/html')] }) }))
  .waitForAssertions(WORDPRESS_START_RETRY);

// The block editor saves a post as HTML in JSON under /wp-json/. From a logged-in editor
// the firewall lets it through to WordPress, which (not installed yet) sends it to its
// installer; without the login cookie, the same body is blocked (AWS WAF's 403).
const editorPost = (cookie: string | undefined) => ({
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
  body: JSON.stringify({ title: 'Registration opens', content: '<p>Sign up <a href="/register/">here</a></p><script>alert("saved")</script>' }),
}) as FetchOptions;
assertions.httpApiCall(`${url}/wp-json/wp/v2/posts`, editorPost('wordpress_logged_in_0123456789abcdef=editor%7C1'))
  .expect(ExpectedResult.objectLike({ status: 302, headers: Match.objectLike({ 'x-redirect-by': ['WordPress'] }) }))
  .waitForAssertions(WORDPRESS_START_RETRY);
assertions.httpApiCall(`${url}/wp-json/wp/v2/posts`, editorPost(undefined))
  .expect(ExpectedResult.objectLike({ status: 403 }))
  .waitForAssertions(WORDPRESS_START_RETRY);

// ELBv2: the name integ-tests-alpha maps to the SDK's client-elastic-load-balancing-v2
// (and to the IAM prefix elasticloadbalancing)
const describeLoadBalancer = assertions.awsApiCall('ELBv2', 'describeLoadBalancers', { LoadBalancerArns: [valueOf('load-balancer')] });
assertions.expect('InternalLoadBalancer',
  ExpectedResult.exact({ scheme: 'internal' }),
  valuesOf(describeLoadBalancer, { scheme: 'LoadBalancers.0.Scheme' }));

// GetWebACLForResource also needs GetWebACL on the web ACL it returns
const webAclOfLoadBalancer = assertions.awsApiCall('WAFV2', 'getWebACLForResource', { ResourceArn: valueOf('load-balancer') });
webAclOfLoadBalancer.provider.addToRolePolicy({ Effect: 'Allow', Action: ['wafv2:GetWebACL'], Resource: ['*'] });
assertions.expect('WebAclOnTheLoadBalancer',
  ExpectedResult.exact({ webAcl: valueOf('web-acl') }),
  valuesOf(webAclOfLoadBalancer, { webAcl: 'WebACL.ARN' }));

// "ELBAccessLogTestFile" sorts before the "elasticloadbalancing/" folder of the logs themselves
// integ-tests-alpha would ask for s3:ListObjectsV2, which is no IAM action: s3:ListBucket is
const listAccessLogs = assertions.awsApiCall('S3', 'listObjectsV2', { Bucket: valueOf('access-logs'), MaxKeys: 1 });
listAccessLogs.provider.addToRolePolicy({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['*'] });
assertions.expect('AccessLogsReachTheirBucket',
  ExpectedResult.objectLike({ key: Match.stringLikeRegexp('^AWSLogs/[0-9]{12}/ELBAccessLogTestFile$') }),
  valuesOf(listAccessLogs, { key: 'Contents.0.Key' }));
