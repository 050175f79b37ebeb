import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { integApp, INTEG_PARAMETER_ROOT, integRegion, SNAPSHOT_OPTIONS } from './util';
import { WordpressFargateSite } from '../src';

/**
 * A WordPress site with the shipped images (built from assets/wordpress at deploy
 * time), its own VPC, EFS and an Aurora Serverless v2 database that can pause.
 * Deletion protection is off and everything is destroyed afterwards, so that the
 * nightly run leaves no database, file system or snapshot behind.
 *
 * The assertions prove the three layers work together: nginx answers its health
 * check through the load balancer, the site's URL answers (a fresh WordPress redirects
 * to its installer: 302, then 200), the installer page renders (php-fpm ran it and it
 * reached the database; without a database it answers 500 "Error establishing a
 * database connection"), and the database is Serverless v2 with a floor of 0 ACU.
 */
const ROOT = `${INTEG_PARAMETER_ROOT}/wordpress-fargate-site`;

const app = integApp();
const stack = new Stack(app, 'WordpressFargateSiteTest', { env: { region: integRegion() } });

const site = new WordpressFargateSite(stack, 'Blog', {
  removalPolicy: RemovalPolicy.DESTROY,
  database: { deletionProtection: false },
  accessLogs: false,
  scaling: { minCapacity: 1, maxCapacity: 2 },
});
new ssm.StringParameter(stack, 'Url', { parameterName: `${ROOT}/url`, stringValue: site.url });
new ssm.StringParameter(stack, 'DatabaseCluster', { parameterName: `${ROOT}/database-cluster`, stringValue: site.database.clusterIdentifier });

const integ = new IntegTest(app, 'WordpressFargateSiteIntegTest', { testCases: [stack], ...SNAPSHOT_OPTIONS });
const assertions = integ.assertions;
const valueOf = (name: string) => assertions.awsApiCall('SSM', 'getParameter', { Name: name }).getAttString('Parameter.Value');
const url = valueOf(`${ROOT}/url`);
// the first task copies WordPress onto the empty file system and the database may resume from 0 ACU: retry
const retry = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };

assertions.httpApiCall(`${url}/healthz`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions(retry);

// the site itself: a fresh WordPress redirects to its installer, which the call follows
assertions.httpApiCall(url)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions(retry);

assertions.httpApiCall(`${url}/wp-admin/install.php`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions(retry);

assertions.awsApiCall('RDS', 'describeDBClusters', { DBClusterIdentifier: valueOf(`${ROOT}/database-cluster`) })
  .expect(ExpectedResult.objectLike({
    DBClusters: [Match.objectLike({
      Engine: 'aurora-mysql',
      StorageEncrypted: true,
      ServerlessV2ScalingConfiguration: Match.objectLike({ MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: 300 }),
    })],
  }));
