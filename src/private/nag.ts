import { Stack, Validations } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag AwsSolutions finding on `scope` and everything below it, with
 * the reason a reviewer reads in the validation report.
 *
 * `rule` is the rule (`AwsSolutions-EC23`) or one finding of it
 * (`AwsSolutions-IAM5[Resource::*]`). The acknowledgement covers `scope` only, never a
 * user's own resources beside it: aws-cdk-lib 2.271.0, the peer dependency floor, is the
 * first release that keeps it there (aws/aws-cdk#38495).
 */
export function acknowledgeNagFinding(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${rule}`, reason });
}

/**
 * The id under which cdk-nag reports a wildcard resource in an IAM policy, for
 * example `AwsSolutions-IAM5[Resource::<Bucket83908E77.Arn>/*]`: the resource resolved
 * in its stack and flattened the way cdk-nag flattens CloudFormation references.
 * Resolve it where the policy lives, after the resource exists.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

function flatten(node: unknown): string {
  if (node === undefined) {
    return '';
  }
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  }
  const value = node as Record<string, any>;
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'];
    return (items as unknown[]).map(flatten).join(delimiter);
  }
  if (value['Fn::Sub']) {
    return flatten(value['Fn::Sub']);
  }
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (value['Fn::ImportValue']) {
    return flatten(value['Fn::ImportValue']);
  }
  if (value.Ref) {
    return `<${flatten(value.Ref)}>`;
  }
  return JSON.stringify(node);
}

/**
 * An aws-cdk-lib AwsCustomResource, whose calls run in the stack's one shared provider
 * function: that function's role has AWS's basic Lambda execution policy (its logs), which
 * cdk-nag reports (IAM4). Acknowledged on the provider, with the reason.
 */
export function acknowledgeAwsCustomResourceProvider(resource: cr.AwsCustomResource): void {
  const stack = Stack.of(resource);
  const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
  if (provider) {
    acknowledgeNagFinding(provider, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'aws-cdk-lib\'s AwsCustomResource provider writes its own logs with AWS\'s basic Lambda execution policy, which grants only that; '
      + 'what each call may do is a policy of its own, scoped to the resource it changes.');
  }
}

/** The construct id of aws-cdk-lib's AwsCustomResource provider function in a stack (a singleton, by this uuid). */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
