import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { integApp, INTEG_PARAMETER_ROOT, integRegion, SNAPSHOT_OPTIONS } from './util';
import { LoadBalancedScalingService } from '../src';

/**
 * A public service behind its load balancer, in its own VPC, with access logs and
 * request-based scaling. The assertions call the service's URL until it answers
 * HTTP 200 and check through the API that both kinds of scaling policies exist.
 *
 * The test stack publishes what the assertions need in SSM, so that the assertion
 * stack reads it through the API instead of a CloudFormation export.
 */
const ROOT = `${INTEG_PARAMETER_ROOT}/load-balanced-scaling-service`;

const app = integApp();
const stack = new Stack(app, 'LoadBalancedScalingServiceTest', { env: { region: integRegion() } });

// a bucket the test can delete again (the construct's own bucket is retained by design)
const accessLogs = new s3.Bucket(stack, 'AccessLogs', {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
  autoDeleteObjects: true,
});

const web = new LoadBalancedScalingService(stack, 'Web', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/hello-app-runner:latest'),
  containerPorts: [8000],
  accessLogsBucket: accessLogs,
  scaling: { minCapacity: 1, maxCapacity: 3, requestsPerTarget: 100 },
});
new ssm.StringParameter(stack, 'Url', { parameterName: `${ROOT}/url`, stringValue: web.url });
new ssm.StringParameter(stack, 'ScalingResourceId', {
  parameterName: `${ROOT}/scaling-resource-id`,
  stringValue: `service/${web.cluster.clusterName}/${web.service.serviceName}`,
});

const integ = new IntegTest(app, 'LoadBalancedScalingServiceIntegTest', { testCases: [stack], ...SNAPSHOT_OPTIONS });
const assertions = integ.assertions;
const valueOf = (name: string) => assertions.awsApiCall('SSM', 'getParameter', { Name: name }).getAttString('Parameter.Value');

// the service answers through its load balancer (tasks may still be starting: retry)
assertions.httpApiCall(valueOf(`${ROOT}/url`))
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });

// the service scales between 1 and 3 tasks, with the fast scale-out step policy in place
const resourceId = valueOf(`${ROOT}/scaling-resource-id`);
assertions.awsApiCall('ApplicationAutoScaling', 'describeScalableTargets', { ServiceNamespace: 'ecs', ResourceIds: [resourceId] })
  .expect(ExpectedResult.objectLike({
    ScalableTargets: [Match.objectLike({ ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, MaxCapacity: 3 })],
  }));
assertions.awsApiCall('ApplicationAutoScaling', 'describeScalingPolicies', { ServiceNamespace: 'ecs', ResourceId: resourceId })
  .expect(ExpectedResult.objectLike({
    ScalingPolicies: Match.arrayWith([Match.objectLike({ PolicyType: 'StepScaling', ResourceId: resourceId })]),
  }));
