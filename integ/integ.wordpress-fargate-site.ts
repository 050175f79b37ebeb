import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { assertFreshWordpress, HEAD_NO_REDIRECT, integApp, INTEG_PARAMETER_ROOT, integRegion, SNAPSHOT_OPTIONS, valuesOf, WORDPRESS_START_RETRY } from './util';
import { WordpressFargateSite } from '../src';

/**
 * A WordPress site with the shipped images (built from assets/wordpress at deploy
 * time), its own VPC, EFS and an Aurora Serverless v2 database that can pause.
 * Deletion protection is off and everything is destroyed afterwards, so that the
 * nightly run leaves no database, file system or snapshot behind.
 *
 * The assertions prove the layers work together, through the load balancer:
 * - nginx answers its health check (static, no PHP, no database);
 * - the site's URL answers with WordPress's redirect to its installer (a fresh site):
 *   PHP ran WordPress, which reached the database with the credentials from Secrets
 *   Manager and found it empty; without a database it answers 500 "Error establishing a
 *   database connection";
 * - the installer answers 200;
 * - nginx serves WordPress's static files from the shared EFS web root, where the php
 *   container copied them on its first start;
 * - the database is an encrypted Aurora MySQL Serverless v2 cluster from 0 to 8 ACU (1,000 connections);
 * - mail: the SES domain identity exists with Easy DKIM and the site's configuration set
 *   as its default, and that set sends bounces and complaints to a topic (what can be
 *   proven without DNS: the identity is never verified here, so no mail is sent).
 */
const ROOT = `${INTEG_PARAMETER_ROOT}/wordpress-fargate-site`;

/** The sender's domain: an SES identity of the test account, never verified (no DNS). */
const MAIL_DOMAIN = 'wordpress-fargate-site.integ.example.com';

const app = integApp();
const stack = new Stack(app, 'WordpressFargateSiteTest', { env: { region: integRegion() } });

const site = new WordpressFargateSite(stack, 'Blog', {
  removalPolicy: RemovalPolicy.DESTROY,
  database: { deletionProtection: false },
  accessLogs: false,
  scaling: { minCapacity: 1, maxCapacity: 2 },
  mail: { fromAddress: `registration@${MAIL_DOMAIN}` },
});
new ssm.StringParameter(stack, 'MailConfigurationSet', { parameterName: `${ROOT}/mail-configuration-set`, stringValue: site.mailConfigurationSet!.configurationSetName });
new ssm.StringParameter(stack, 'Url', { parameterName: `${ROOT}/url`, stringValue: site.url });
new ssm.StringParameter(stack, 'DatabaseCluster', { parameterName: `${ROOT}/database-cluster`, stringValue: site.database.clusterIdentifier });

const integ = new IntegTest(app, 'WordpressFargateSiteIntegTest', { testCases: [stack], ...SNAPSHOT_OPTIONS });
const assertions = integ.assertions;
const valueOf = (name: string) => assertions.awsApiCall('SSM', 'getParameter', { Name: name }).getAttString('Parameter.Value');
const url = valueOf(`${ROOT}/url`);
// a fresh site sends its visitors to the installer
assertFreshWordpress(assertions, url, '/wp-admin/install\\.php$');

assertions.httpApiCall(`${url}/wp-admin/install.php`, HEAD_NO_REDIRECT)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions(WORDPRESS_START_RETRY);

assertions.httpApiCall(`${url}/wp-includes/css/dashicons.min.css`, HEAD_NO_REDIRECT)
  .expect(ExpectedResult.objectLike({ status: 200, headers: Match.objectLike({ 'content-type': ['text/css'] }) }))
  .waitForAssertions(WORDPRESS_START_RETRY);

assertions.expect('Database',
  ExpectedResult.exact({ engine: 'aurora-mysql', encrypted: 'true', minCapacity: '0', maxCapacity: '8', secondsUntilAutoPause: '300' }),
  valuesOf(assertions.awsApiCall('RDS', 'describeDBClusters', { DBClusterIdentifier: valueOf(`${ROOT}/database-cluster`) }), {
    engine: 'DBClusters.0.Engine',
    encrypted: 'DBClusters.0.StorageEncrypted',
    minCapacity: 'DBClusters.0.ServerlessV2ScalingConfiguration.MinCapacity',
    maxCapacity: 'DBClusters.0.ServerlessV2ScalingConfiguration.MaxCapacity',
    secondsUntilAutoPause: 'DBClusters.0.ServerlessV2ScalingConfiguration.SecondsUntilAutoPause',
  }));

const mailConfigurationSet = valueOf(`${ROOT}/mail-configuration-set`);
assertions.expect('MailIdentity',
  ExpectedResult.exact({ type: 'DOMAIN', configurationSet: mailConfigurationSet, dkimOrigin: 'AWS_SES' }),
  valuesOf(assertions.awsApiCall('SESv2', 'getEmailIdentity', { EmailIdentity: MAIL_DOMAIN }), {
    type: 'IdentityType',
    configurationSet: 'ConfigurationSetName',
    dkimOrigin: 'DkimAttributes.SigningAttributesOrigin',
  }));
assertions.expect('MailBouncesAndComplaints',
  ExpectedResult.exact({ enabled: 'true', events: ['BOUNCE', 'COMPLAINT'] }),
  valuesOf(assertions.awsApiCall('SESv2', 'getConfigurationSetEventDestinations', { ConfigurationSetName: mailConfigurationSet }), {
    enabled: 'EventDestinations.0.Enabled',
    events: ['EventDestinations.0.MatchingEventTypes.0', 'EventDestinations.0.MatchingEventTypes.1'],
  }));
