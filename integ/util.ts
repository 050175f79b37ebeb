import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';

/**
 * The App of every integ test: today's recommended feature flags (what a new user
 * app runs with) and CloudFormation validation in strict mode, so a template
 * with any schema or lint finding never reaches a snapshot or a deployment.
 */
export function integApp(): App {
  return new App({
    context: {
      ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
      [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: true,
      [cxapi.STRICT_CFN_VALIDATE_ERRORS]: true,
    },
  });
}

/** The SSM path every integ test publishes under, so a test account stays tidy. */
export const INTEG_PARAMETER_ROOT = '/cdk-fargate-blueprints-integ';

/**
 * The region integ stacks name in their env (constructs such as the load balancer's
 * access logs need one): the deployment's region, or a fixed one offline so that
 * snapshots do not depend on the machine.
 */
export function integRegion(): string {
  return process.env.CDK_INTEG_REGION ?? 'eu-west-1';
}
