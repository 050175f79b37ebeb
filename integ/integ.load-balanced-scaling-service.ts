import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { HEAD_NO_REDIRECT, integApp, INTEG_PARAMETER_ROOT, integRegion, SNAPSHOT_OPTIONS, valuesOf } from './util';
import { LoadBalancedScalingService } from '../src';

/**
 * A public service behind its load balancer, in its own VPC, with access logs and
 * request-based scaling. The assertions call the service's URL until it answers
 * HTTP 200, and check through the Application Auto Scaling API that the service scales
 * between 1 and 3 tasks and that its step scaling policies (the fast scale-out on a
 * spike) are in place, each with its alarm.
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
  cpuArchitecture: ecs.CpuArchitecture.X86_64, // the image is built for x86 only
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
assertions.httpApiCall(valueOf(`${ROOT}/url`), HEAD_NO_REDIRECT)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });

// the service scales between 1 and 3 tasks
const resourceId = valueOf(`${ROOT}/scaling-resource-id`);
assertions.expect('ScalableTarget',
  ExpectedResult.exact({ dimension: 'ecs:service:DesiredCount', min: '1', max: '3' }),
  valuesOf(assertions.awsApiCall('ApplicationAutoScaling', 'describeScalableTargets', { ServiceNamespace: 'ecs', ResourceIds: [resourceId] }), {
    dimension: 'ScalableTargets.0.ScalableDimension',
    min: 'ScalableTargets.0.MinCapacity',
    max: 'ScalableTargets.0.MaxCapacity',
  }));

// the step scaling policies of the stack (the fast scale-out on a CPU or request spike)
// exist for the service, each triggered by an alarm
const stepPolicies = web.node.findAll()
  .filter((c): c is appscaling.CfnScalingPolicy => c instanceof appscaling.CfnScalingPolicy && c.policyType === 'StepScaling')
  .map((policy) => policy.policyName);
if (stepPolicies.length === 0) {
  throw new Error('the service has no step scaling policy: the assertion below would check nothing');
}
const policies = assertions.awsApiCall('ApplicationAutoScaling', 'describeScalingPolicies', {
  ServiceNamespace: 'ecs',
  ResourceId: resourceId,
  PolicyNames: stepPolicies,
});
assertions.expect('StepScalingPolicies',
  ExpectedResult.exact(stepPolicies.map(() => ({ type: 'StepScaling', resource: resourceId, alarm: Match.stringLikeRegexp('.') }))),
  valuesOf(policies, stepPolicies.map((_, i) => ({
    type: `ScalingPolicies.${i}.PolicyType`,
    resource: `ScalingPolicies.${i}.ResourceId`,
    alarm: `ScalingPolicies.${i}.Alarms.0.AlarmName`,
  }))));
