import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * Reading synthesized templates: the one resource of a type, logical ids, the parts of
 * a task definition, the policies of a role, the ingress of a security group.
 */

/** The one resource of `type` (matching `props`), or a failed expectation. */
export function only(template: Template, type: string, props: any = {}): any {
  const found = Object.values(template.findResources(type, props));
  expect(found).toHaveLength(1);
  return found[0];
}

/** The logical id of the one resource of `type` whose id matches `pattern`, or a failed expectation. */
export function logicalIdOf(template: Template, type: string, pattern?: RegExp): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => !pattern || pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.resolve((construct.node.defaultChild as any).logicalId);
}

/** The containers of the one task definition, by name. */
export function containersOf(template: Template): Record<string, any> {
  return Object.fromEntries(only(template, 'AWS::ECS::TaskDefinition').Properties.ContainerDefinitions.map((c: any) => [c.Name, c]));
}

/** A container's environment as an object. */
export function environmentOf(container: any): Record<string, unknown> {
  return Object.fromEntries((container.Environment ?? []).map((e: any) => [e.Name, e.Value]));
}

/** The statements of the policies attached to a role, by the role's logical id. */
export function statementsOf(template: Template, roleLogicalId: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** The ingress rules (inline or standalone) of a security group, by its logical id. */
export function ingressOf(template: Template, securityGroupLogicalId: string): any[] {
  const standalone = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
    .map((r) => r.Properties)
    .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [securityGroupLogicalId, 'GroupId'] }));
  const inline = template.toJSON().Resources[securityGroupLogicalId].Properties.SecurityGroupIngress ?? [];
  return [...inline, ...standalone];
}

/** Every value of every `Ref`/`Fn::*` intrinsic of a given name anywhere in `json`. */
export function findIntrinsics(json: unknown, name: string): unknown[] {
  const found: unknown[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === name) {
          found.push(v);
        }
        visit(v);
      }
    }
  };
  visit(json);
  return found;
}

/**
 * Parses a JSON document that CloudFormation assembles with `Fn::Join` (an input that
 * names resources), with each reference written as `${Ref:LogicalId}` or
 * `${LogicalId.Attribute}`.
 */
export function joinedJson(value: unknown): any {
  if (typeof value === 'string') {
    return JSON.parse(value);
  }
  const join = (value as any)?.['Fn::Join'];
  if (!join || join[0] !== '') {
    throw new Error(`not a JSON string or an Fn::Join with no separator: ${JSON.stringify(value)}`);
  }
  return JSON.parse(join[1].map((part: any) => {
    if (typeof part === 'string') return part;
    if (part.Ref) return `\${Ref:${part.Ref}}`;
    if (part['Fn::GetAtt']) return `\${${part['Fn::GetAtt'].join('.')}}`;
    throw new Error(`unexpected part ${JSON.stringify(part)}`);
  }).join(''));
}

