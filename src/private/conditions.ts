import { Fn, ICfnConditionExpression } from 'aws-cdk-lib';

/** Fn::Or of any number of conditions (CloudFormation takes 2 to 10 per Fn::Or). */
export function anyOfConditions(conditions: ICfnConditionExpression[]): ICfnConditionExpression {
  if (conditions.length <= 10) {
    return Fn.conditionOr(...conditions);
  }
  const groups: ICfnConditionExpression[] = [];
  for (let i = 0; i < conditions.length; i += 10) {
    const group = conditions.slice(i, i + 10);
    groups.push(group.length === 1 ? group[0] : Fn.conditionOr(...group));
  }
  return anyOfConditions(groups);
}
