import { CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import { synth, testApp } from './support';

/** The shared test helpers really fail on what they promise to catch. */

test('a property CloudFormation does not know fails synthesis, with the finding listed', () => {
  const app = testApp();
  const stack = new Stack(app, 'Schema');
  new CfnResource(stack, 'Bad', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x', Bogus: 1 } });
  expect(() => synth(app)).toThrow(/\[CloudFormation Validate\] error F3002 at Schema\/Bad: Bogus: Additional properties are not allowed/);
});

test('a lint warning (an unused parameter) fails synthesis too', () => {
  const app = testApp();
  const stack = new Stack(app, 'Lint');
  new CfnParameter(stack, 'Unused', { type: 'String', default: 'x' });
  new CfnResource(stack, 'Ok', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x' } });
  expect(() => synth(app)).toThrow(/\[CloudFormation Validate\] warning W2001 .*Parameter 'Unused' is not referenced/);
});

test('apps without feature flags still validate strictly', () => {
  const app = testApp({ withoutFeatureFlags: true });
  const stack = new Stack(app, 'Old');
  new CfnResource(stack, 'Bad', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x', Bogus: 1 } });
  expect(() => synth(app)).toThrow(/F3002/);
});
