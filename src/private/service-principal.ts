import { ArnComponents, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * `service` (for example `states.amazonaws.com`) acting only for a resource of the
 * account of `scope`'s stack whose ARN matches `source` (a resource name may be `*`):
 * the conditions against the cross-service confused deputy that AWS recommends in a role's
 * trust policy, `aws:SourceAccount` and `aws:SourceArn`.
 */
export function servicePrincipalFor(scope: IConstruct, service: string, source: ArnComponents): iam.IPrincipal {
  const stack = Stack.of(scope);
  return new iam.ServicePrincipal(service).withConditions({
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn(source) },
  });
}
