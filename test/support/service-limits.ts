/**
 * Limits that AWS services enforce at deploy time but CDK's CloudFormation schema
 * validation does not check, as a second oracle for the property-based tests: a
 * template that breaks one of them is one CloudFormation would refuse.
 *
 * Each rule cites where AWS documents it.
 */

/** ECS names: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed." */
const ECS_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/** AWS WAF CreateWebACL Description: "Pattern: ^[\w+=:#@/\-,\.][\w+=:#@/\-,\.\s]+[\w+=:#@/\-,\.]$", at most 256. */
const WAF_DESCRIPTION = /^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]{0,254}[\w+=:#@/\-,.]$/;

/** IAM TagRole: tag values match "[\p{L}\p{Z}\p{N}_.:/=+\-@]*", at most 256 characters. */
const IAM_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/**
 * Numbers this large only appear when a token (a number CDK encodes as a huge negative
 * double) went through arithmetic at synth time: the template carries garbage.
 */
const LEAKED_TOKEN = 1e100;

/**
 * AWS WAF capacity units (WCU) of the AWS managed rule groups, as the AWS WAF Developer
 * Guide publishes them ("AWS Managed Rules rule groups list").
 */
const MANAGED_RULE_GROUP_CAPACITY: Record<string, number> = {
  AWSManagedRulesCommonRuleSet: 700,
  AWSManagedRulesKnownBadInputsRuleSet: 200,
  AWSManagedRulesSQLiRuleSet: 200,
  AWSManagedRulesPHPRuleSet: 100,
  AWSManagedRulesWordPressRuleSet: 100,
};
/** What a web ACL's base price includes (AWS WAF pricing); more is billed per request. */
const WEB_ACL_BASE_PRICE_CAPACITY = 1500;

/**
 * The capacity of one statement, as the AWS WAF Developer Guide prices it: string match
 * 2 for exactly, starts with and ends with, 10 for contains, plus 10 per text
 * transformation ("String match rule statement"; NONE counted too, an upper bound); label
 * match 1 ("Label match rule statement"); rate-based 2 plus its scope-down ("Using
 * rate-based rule statements"); And, Or and Not what they hold ("Using logical rule
 * statements"); a managed rule group its published capacity.
 */
function statementCapacity(statement: any): number {
  if (statement.ManagedRuleGroupStatement) {
    const capacity = MANAGED_RULE_GROUP_CAPACITY[statement.ManagedRuleGroupStatement.Name];
    if (capacity === undefined) {
      throw new Error(`no published capacity for ${statement.ManagedRuleGroupStatement.Name}`);
    }
    return capacity;
  }
  if (statement.RateBasedStatement) {
    const scopeDown = statement.RateBasedStatement.ScopeDownStatement;
    return 2 + (scopeDown ? statementCapacity(scopeDown) : 0);
  }
  if (statement.ByteMatchStatement) {
    const match = statement.ByteMatchStatement;
    return (['CONTAINS', 'CONTAINS_WORD'].includes(match.PositionalConstraint) ? 10 : 2) + 10 * match.TextTransformations.length;
  }
  if (statement.LabelMatchStatement) {
    return 1;
  }
  const nested = statement.AndStatement?.Statements ?? statement.OrStatement?.Statements
    ?? (statement.NotStatement ? [statement.NotStatement.Statement] : undefined);
  if (!nested) {
    throw new Error(`no published capacity for ${JSON.stringify(statement)}`);
  }
  return nested.reduce((sum: number, s: unknown) => sum + statementCapacity(s), 0);
}

function webAclCapacity(props: any): number {
  return (props.Rules ?? []).reduce((sum: number, rule: any) => sum + statementCapacity(rule.Statement), 0);
}

/** The capacity units each web ACL of the template needs. */
export function webAclCapacities(template: any): number[] {
  return Object.values<any>(template.Resources ?? {}).filter((r) => r.Type === 'AWS::WAFv2::WebACL').map((r) => webAclCapacity(r.Properties));
}

/** Inbound rules per security group (VPC User Guide, "Amazon VPC quotas": 60, adjustable). */
const SECURITY_GROUP_INBOUND_RULES = 60;
/**
 * What a prefix list weighs against that quota: its maximum entries. CloudFront's
 * origin-facing list, the only one the constructs reference, weighs 55 (VPC User Guide,
 * "AWS-managed prefix lists", weight).
 */
const PREFIX_LIST_WEIGHT = 55;

/** The weight of the inbound rules of each security group of the template, by logical id. */
function ingressWeights(template: any): Record<string, number> {
  const weights: Record<string, number> = {};
  const add = (group: string, rule: any) => {
    weights[group] = (weights[group] ?? 0) + (rule.SourcePrefixListId ? PREFIX_LIST_WEIGHT : 1);
  };
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (resource.Type === 'AWS::EC2::SecurityGroup') {
      for (const rule of resource.Properties?.SecurityGroupIngress ?? []) {
        add(logicalId, rule);
      }
    } else if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
      const group = resource.Properties.GroupId?.['Fn::GetAtt']?.[0];
      if (typeof group === 'string') {
        add(group, resource.Properties);
      }
    }
  }
  return weights;
}

/** Every finding for one synthesized template; empty when it breaks none of the limits. */
export function serviceLimitFindings(template: any): string[] {
  const findings: string[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    const at = (what: string) => `${logicalId} (${resource.Type}) ${what}`;
    switch (resource.Type) {
      case 'AWS::ECS::TaskDefinition':
        // ECS RegisterTaskDefinition: family and containerDefinitions[].name
        if (typeof props.Family === 'string' && !ECS_NAME.test(props.Family)) {
          findings.push(at(`Family ${JSON.stringify(props.Family)} is not 1 to 255 letters, digits, "_" or "-"`));
        }
        for (const container of props.ContainerDefinitions ?? []) {
          // Fargate: "The valid values for Fargate are 2-120 seconds" (ContainerDefinition startTimeout, stopTimeout)
          if ((props.RequiresCompatibilities ?? []).includes('FARGATE')) {
            for (const key of ['StartTimeout', 'StopTimeout']) {
              if (typeof container[key] === 'number' && !(Number.isInteger(container[key]) && container[key] >= 2 && container[key] <= 120)) {
                findings.push(at(`container ${container.Name} ${key} ${container[key]} is not a whole number from 2 to 120 (Fargate)`));
              }
            }
          }
          if (typeof container.Name === 'string' && !ECS_NAME.test(container.Name)) {
            findings.push(at(`container Name ${JSON.stringify(container.Name)} is not 1 to 255 letters, digits, "_" or "-"`));
          }
          const check = container.HealthCheck;
          // ECS HealthCheck: interval 5-300 s, timeout 2-120 s, retries 1-10, startPeriod 0-300 s
          if (check) {
            for (const [key, min, max] of [['Interval', 5, 300], ['Timeout', 2, 120], ['Retries', 1, 10], ['StartPeriod', 0, 300]] as const) {
              if (typeof check[key] === 'number' && !(Number.isInteger(check[key]) && check[key] >= min && check[key] <= max)) {
                findings.push(at(`container ${container.Name} HealthCheck.${key} ${check[key]} is not a whole number from ${min} to ${max}`));
              }
            }
            if (Array.isArray(check.Command) && check.Command.length === 0) {
              findings.push(at(`container ${container.Name} HealthCheck.Command is empty`));
            }
          }
        }
        // ECS service quotas: a task definition is at most 64 KiB (JSON)
        if (JSON.stringify(props).length > 64 * 1024) {
          findings.push(at(`is ${JSON.stringify(props).length} characters of JSON, more than the 64 KiB ECS accepts`));
        }
        break;
      case 'AWS::ECS::Service':
        // ECS CreateService: serviceName
        if (typeof props.ServiceName === 'string' && !ECS_NAME.test(props.ServiceName)) {
          findings.push(at(`ServiceName ${JSON.stringify(props.ServiceName)} is not 1 to 255 letters, digits, "_" or "-"`));
        }
        break;
      case 'AWS::IAM::Role':
        for (const tag of props.Tags ?? []) {
          if (typeof tag.Value === 'string' && !IAM_TAG_VALUE.test(tag.Value)) {
            findings.push(at(`tag ${tag.Key} ${JSON.stringify(tag.Value)} is not at most 256 letters, digits, spaces and _.:/=+-@ (IAM)`));
          }
        }
        break;
      case 'AWS::WAFv2::WebACL': {
        // WAF CreateWebACL: Description, 1 to 256 characters of the pattern below
        if (typeof props.Description === 'string' && !WAF_DESCRIPTION.test(props.Description)) {
          findings.push(at(`Description ${JSON.stringify(props.Description)} does not match ${WAF_DESCRIPTION}`));
        }
        const capacity = webAclCapacity(props);
        if (capacity > WEB_ACL_BASE_PRICE_CAPACITY) {
          findings.push(at(`needs ${capacity} capacity units, more than the ${WEB_ACL_BASE_PRICE_CAPACITY} its base price includes`));
        }
        break;
      }
      default:
        break;
    }
  }
  for (const [group, weight] of Object.entries(ingressWeights(template))) {
    if (weight > SECURITY_GROUP_INBOUND_RULES) {
      findings.push(`${group} (AWS::EC2::SecurityGroup) has inbound rules weighing ${weight}, more than the ${SECURITY_GROUP_INBOUND_RULES} a security group holds`);
    }
  }
  visitNumbers(template, (value, where) => {
    if (!Number.isFinite(value) || Math.abs(value) >= LEAKED_TOKEN) {
      findings.push(`${where} is ${value}: a token went through arithmetic at synth time`);
    }
  });
  return findings;
}

function visitNumbers(node: unknown, visit: (value: number, where: string) => void, where = ''): void {
  if (typeof node === 'number') {
    visit(node, where);
  } else if (typeof node === 'string') {
    // a number rendered into a string, e.g. `${mib + 1}m`
    for (const match of node.match(/-?\d(\.\d+)?e\+\d{3}/g) ?? []) {
      visit(Number(match), where);
    }
  } else if (Array.isArray(node)) {
    node.forEach((item, i) => visitNumbers(item, visit, `${where}[${i}]`));
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      visitNumbers(value, visit, where ? `${where}.${key}` : key);
    }
  }
}
