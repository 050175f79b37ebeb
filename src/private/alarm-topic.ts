import { Aws, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/**
 * Lets CloudWatch publish these alarms of this account to the topic, and nothing else. A
 * topic with a policy (any topic CDK writes one for, such as one with `enforceSSL`) has
 * no SNS default policy any more, and refuses CloudWatch without such a statement.
 * Statements for other alarms on the same topic need a `sid` of their own: statement ids
 * are unique within a policy.
 */
export function alarmsMayPublish(topicArn: string, alarms: cloudwatch.IAlarm[], sid = 'AlarmsFromCloudWatch'): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topicArn],
    conditions: {
      ArnEquals: { 'aws:SourceArn': alarms.map((a) => a.alarmArn) },
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    },
  });
}

/**
 * Adds the statements to the policy of a topic of the construct's own stack. A topic of
 * another stack or account is left alone (writing into its policy would tie the stacks
 * together): returns false, and the caller warns with what that policy must allow.
 */
export function addToTopicPolicy(scope: IConstruct, topic: sns.ITopic, statements: iam.PolicyStatement[]): boolean {
  if (Stack.of(topic) !== Stack.of(scope)) {
    return false;
  }
  return statements.map((statement) => topic.addToResourcePolicy(statement).statementAdded).every(Boolean);
}
