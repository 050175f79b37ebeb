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
      case 'AWS::WAFv2::WebACL':
        // WAF CreateWebACL: Description, 1 to 256 characters of the pattern below
        if (typeof props.Description === 'string' && !WAF_DESCRIPTION.test(props.Description)) {
          findings.push(at(`Description ${JSON.stringify(props.Description)} does not match ${WAF_DESCRIPTION}`));
        }
        break;
      default:
        break;
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
