import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { findIntrinsics, joinedJson, synth } from './support';

/**
 * The sample app, as `npm run sample` synthesizes it: with the context of sample/cdk.json
 * (today's recommended feature flags and strict validation), without credentials.
 */

// what the CDK CLI hands the app (jest gives every test file its own copy of process.env)
const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'sample', 'cdk.json'), 'utf-8'));
process.env.CDK_CONTEXT_JSON = JSON.stringify(cdkJson.context);
process.env.CDK_OUTDIR = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-sample-'));
process.env.CDK_DEFAULT_REGION = 'eu-central-1';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sample = require('../sample/app') as typeof import('../sample/app');

const synthesized = synth(sample.app);
const template = (stack: Stack) => synthesized.template(stack);
const ssmSources = (stack: Stack): string[] => Object.values<any>(synthesized.json(stack).Parameters ?? {})
  .filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>' && !p.Default.startsWith('/cdk-bootstrap/'))
  .map((p) => p.Default)
  .sort();

test('has the network, table and service stacks of the go-on-aws app, the ETL and the WordPress stack', () => {
  expect(synthesized.assembly.stacks.map((s) => s.stackName).sort())
    .toEqual(['SampleEtl', 'SampleNetwork', 'SampleService', 'SampleTable', 'SampleWordpress']);
});

test('no stack exports or imports anything through CloudFormation', () => {
  for (const json of synthesized.allTemplates()) {
    expect(findIntrinsics(json, 'Fn::ImportValue')).toEqual([]);
    expect(findIntrinsics(json, 'Export')).toEqual([]);
  }
});

test('the table stack writes the table name to /go-on-aws/table and keeps the data', () => {
  const table = Object.keys(template(sample.tableStack).findResources('AWS::DynamoDB::GlobalTable'))[0];
  template(sample.tableStack).hasResourceProperties('AWS::SSM::Parameter', { Name: '/go-on-aws/table', Value: { Ref: table } });
  template(sample.tableStack).hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
});

test('the service stack finds network and table through SSM', () => {
  expect(ssmSources(sample.serviceStack)).toEqual([
    '/go-on-aws/network/private-with-egress/subnet-ids',
    '/go-on-aws/network/public/subnet-ids',
    '/go-on-aws/network/subnet-types',
    '/go-on-aws/network/vpc-id',
    '/go-on-aws/table',
  ]);
});

test('the app behind basic auth counts 401 as healthy', () => {
  template(sample.serviceStack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Matcher: { HttpCode: '200,401' } });
});

test('the task role reads the table parameter and scans the table, and nothing else', () => {
  const policies = Object.entries(template(sample.serviceStack).findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.includes('TaskRole'));
  expect(policies).toHaveLength(1);
  const statements = policies[0][1].Properties.PolicyDocument.Statement;
  const tableParameter = Object.entries<any>(synthesized.json(sample.serviceStack).Parameters)
    .find(([, p]) => p.Default === '/go-on-aws/table')![0];
  expect(statements).toEqual([
    expect.objectContaining({ Action: ['ssm:DescribeParameters', 'ssm:GetParameter', 'ssm:GetParameterHistory', 'ssm:GetParameters'] }),
    {
      Effect: 'Allow',
      Action: 'dynamodb:Scan',
      Resource: { 'Fn::Join': ['', ['arn:aws:dynamodb:eu-central-1:', { Ref: 'AWS::AccountId' }, ':table/', { Ref: tableParameter }]] },
    },
  ]);
  expect(JSON.stringify(statements[0].Resource)).toContain(':parameter/go-on-aws/table');
});

test('synthesizes without warnings', () => {
  expect(synthesized.allWarnings()).toEqual([]);
});

test('the ETL stack finds the network through SSM and runs the monthly job with a MySQL sidecar', () => {
  expect(ssmSources(sample.etlStack)).toEqual([
    '/go-on-aws/network/private-with-egress/subnet-ids',
    '/go-on-aws/network/subnet-types',
    '/go-on-aws/network/vpc-id',
  ]);
  const etl = synthesized.template(sample.etlStack);
  etl.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 4 1 * ? *)' });
  const taskDefinition = Object.values(etl.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
  expect(taskDefinition.ContainerDefinitions.map((c: any) => c.Name)).toEqual(['mysql', 'app']);
  expect(taskDefinition.EphemeralStorage).toEqual({ SizeInGiB: 50 });
  // the run is bounded: the state machine's RunTask state times out after two hours
  const parts: unknown[] = Object.values(etl.findResources('AWS::StepFunctions::StateMachine'))[0].Properties.DefinitionString['Fn::Join'][1];
  const definition = JSON.parse(parts.map((p) => typeof p === 'string' ? p : 'ref').join(''));
  expect(definition.States.Run.ItemProcessor.States.RunTask).toMatchObject({ Resource: 'arn:ref:states:::ecs:runTask.sync', TimeoutSeconds: 7200 });
});

test('the WordPress stack finds the network through SSM and warms up database and tasks before the Monday rush', () => {
  expect(ssmSources(sample.wordpressStack)).toEqual([
    // private subnets only: the load balancer behind the CDN is internal
    '/go-on-aws/network/private-with-egress/subnet-ids',
    '/go-on-aws/network/subnet-types',
    '/go-on-aws/network/vpc-cidr',
    '/go-on-aws/network/vpc-id',
  ]);
  const wordpress = synthesized.template(sample.wordpressStack);
  // the rush recipe: CloudFront in front of an internal load balancer, AWS WAF on it, the page cache
  wordpress.resourceCountIs('AWS::CloudFront::Distribution', 1);
  wordpress.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
  wordpress.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  const databaseWindows = Object.values(wordpress.findResources('AWS::Scheduler::Schedule'))
    .map(({ Properties: p }) => [
      p.ScheduleExpression, p.ScheduleExpressionTimezone, joinedJson(p.Target.Input).ServerlessV2ScalingConfiguration,
    ]);
  // the database at 08:40, five minutes before the tasks that will use it; back to pausing after 5 idle minutes at 11:00
  expect(databaseWindows).toEqual([
    ['cron(40 8 ? * MON *)', 'Europe/Berlin', { MinCapacity: 4, MaxCapacity: 16 }],
    ['cron(0 11 ? * MON *)', 'Europe/Berlin', { MinCapacity: 0, MaxCapacity: 16, SecondsUntilAutoPause: 300 }],
  ]);
  const [target] = Object.values(wordpress.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
  const taskWindows = target.Properties.ScheduledActions
    .map((a: any) => [a.Schedule, a.Timezone, a.ScalableTargetAction.MinCapacity]);
  expect(taskWindows).toEqual([['cron(45 8 ? * MON *)', 'Europe/Berlin', 20], ['cron(0 11 ? * MON *)', 'Europe/Berlin', 1]]);
});

test('the WordPress stack sends mail from registration@example.com, the DKIM records it needs as outputs (no hosted zone)', () => {
  const wordpress = synthesized.template(sample.wordpressStack);
  wordpress.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.com' });
  const dkim = Object.entries(wordpress.findOutputs('*')).filter(([id]) => /^RegistrationMailDkimRecord[123][0-9A-F]{8}$/.test(id));
  expect(dkim).toHaveLength(3);
  expect(wordpress.findResources('AWS::Route53::RecordSet')).toEqual({});
});
