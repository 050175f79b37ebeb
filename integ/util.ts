import * as fs from 'fs';
import * as path from 'path';
import { ActualResult, ExpectedResult, FetchOptions, IApiCall, IDeployAssert, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';

/**
 * The App of every integ test: today's recommended feature flags (what a new user
 * app runs with) and CloudFormation validation in strict mode, so a template
 * with any schema or lint finding never reaches a snapshot or a deployment.
 * No creation stack traces in the metadata (the snapshot keeps it): they name the
 * directory of the checkout and the lines of the test, and would change the snapshot on
 * every machine and with every edit (integ.config.json's app command silences the
 * traces aws-cdk-lib records for acknowledged rules).
 */
export function integApp(): App {
  return new App({
    stackTraces: false,
    context: {
      [cxapi.DISABLE_CREATION_STACK_TRACES]: true,
      ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
      [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: true,
      [cxapi.STRICT_CFN_VALIDATE_ERRORS]: true,
    },
  });
}

/** The SSM path every integ test publishes under, so a test account stays tidy. */
export const INTEG_PARAMETER_ROOT = '/cdk-fargate-blueprints-integ';

/**
 * The region integ stacks name in their env (constructs such as the load balancer's
 * access logs need one): the region integ-runner deploys the tests to, the single
 * `parallel-regions` entry of integ.config.json (written by .projenrc.ts).
 *
 * One region for the snapshot and the deployment: integ-runner synthesizes the
 * snapshots with CDK_INTEG_REGION=test-region, a region that does not exist, and an ALB
 * logging to S3 gets another bucket policy there than in a real region. Reading the
 * region from the runner's configuration instead makes the committed snapshot the
 * template that the nightly workflow deploys.
 */
export function integRegion(): string {
  const config = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'integ.config.json'), 'utf-8'));
  const regions: unknown = config['parallel-regions'];
  if (!Array.isArray(regions) || regions.length !== 1 || typeof regions[0] !== 'string') {
    throw new Error(`integ.config.json: parallel-regions must name exactly one region, got ${JSON.stringify(regions)}`);
  }
  return regions[0];
}

/** A JSON structure whose strings are paths into an API response (`'tasks.0.lastStatus'`). */
export type ResponsePaths = string | ResponsePaths[] | { [key: string]: ResponsePaths };

/**
 * Values out of an API call's response, for `assertions.expect(...)`: `paths` with each
 * path replaced by the value found there in the response, as a string (`'1024'`, `'0'`,
 * `'true'`), so the expected values are strings too.
 *
 * Why not `call.expect(...)`: then integ-tests-alpha sends the whole response back to
 * CloudFormation, which refuses a custom resource response over 4 KB ("Response object is
 * too long"); a task definition, a task, a DB cluster or a list of scaling policies is
 * larger than that. Reading single values makes the call return only those. A path that is
 * not in the response fails the assertion stack's deployment, and so the test.
 */
export function valuesOf(call: IApiCall, paths: ResponsePaths): ActualResult {
  const resolve = (p: ResponsePaths): unknown => {
    if (typeof p === 'string') {
      return call.getAttString(p);
    }
    if (Array.isArray(p)) {
      return p.map(resolve);
    }
    return Object.fromEntries(Object.entries(p).map(([key, value]) => [key, resolve(value)]));
  };
  return { result: Stack.of(call).toJsonString(resolve(paths)) };
}

/**
 * An HTTP HEAD request that does not follow redirects. HEAD, because the response goes
 * back to CloudFormation whole, which refuses more than 4 KB (a web page is larger);
 * status and headers say what the tests need to know. integ-tests-alpha hands the
 * options to node-fetch as they are; its `FetchOptions` type just does not list
 * `redirect`.
 */
export const HEAD_NO_REDIRECT = { method: 'HEAD', redirect: 'manual' } as FetchOptions;

/**
 * What every integ test sets on its IntegTest.
 *
 * - `diffAssets`: a changed asset (the WordPress images' build context, a custom
 *   resource handler) changes the snapshot too, as a changed template does.
 * - `stackUpdateWorkflow: false`: integ-runner deploys the tests as they are, not first
 *   the committed snapshot and then the change (that needs the asset payloads in the
 *   snapshot, which the repository does not keep, and a deployment of main from its own
 *   snapshot would prove nothing more). It also keeps the test stacks' assets out of the
 *   snapshot directories.
 * - `allowDestroy`: a changed task definition still fails the snapshot, but is not
 *   reported as destructive. CloudFormation replaces a task definition on every change
 *   (a new revision), and the service rolls over to it; nothing is lost.
 */
export const SNAPSHOT_OPTIONS = {
  diffAssets: true,
  stackUpdateWorkflow: false,
  allowDestroy: ['AWS::ECS::TaskDefinition'],
};

/**
 * How long the WordPress tests wait for the site: the first task copies WordPress onto
 * the empty file system, and the database may resume from 0 ACU.
 */
export const WORDPRESS_START_RETRY = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };

/**
 * Asserts that the fresh WordPress site at `url` answers: nginx's health endpoint (static,
 * no PHP, no database), then WordPress' redirect to its installer, at a location that
 * matches `installer` (a regular expression): PHP ran WordPress, which reached the
 * database with the credentials from Secrets Manager and found it empty.
 */
export function assertFreshWordpress(assertions: IDeployAssert, url: string, installer: string): void {
  assertions.httpApiCall(`${url}/healthz`)
    .expect(ExpectedResult.objectLike({ status: 200, body: 'ok\n' }))
    .waitForAssertions(WORDPRESS_START_RETRY);
  assertions.httpApiCall(url, HEAD_NO_REDIRECT)
    .expect(ExpectedResult.objectLike({
      status: 302,
      headers: Match.objectLike({
        'x-redirect-by': ['WordPress'],
        'location': [Match.stringLikeRegexp(installer)],
      }),
    }))
    .waitForAssertions(WORDPRESS_START_RETRY);
}
