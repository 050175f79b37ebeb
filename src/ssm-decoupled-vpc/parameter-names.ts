import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { invalid } from '../private/validation';

/**
 * The layout of the parameters an SsmDecoupledVpc publishes under its prefix.
 *
 * Producer and importer both derive every name from here, so the two sides
 * cannot drift apart.
 */

/** Deepest hierarchy SSM accepts for a parameter name. */
const MAX_SSM_LEVELS = 15;
/** Levels the library adds below the prefix (`<prefix>/<subnet type>/<key>`). */
const LEVELS_BELOW_PREFIX = 2;
/** Longest parameter name SSM accepts (including the leading slash). */
const MAX_SSM_NAME_LENGTH = 1011;
/** Longest suffix the library appends to the prefix. */
const LONGEST_SUFFIX = '/private-with-egress/route-table-ids'.length;

const SEGMENT = /^[a-zA-Z0-9_.-]+$/;

/** The deprecated PRIVATE_WITH_NAT creates the same subnets as PRIVATE_WITH_EGRESS. */
export function canonicalSubnetType(subnetType: ec2.SubnetType): ec2.SubnetType {
  return subnetType === ec2.SubnetType.PRIVATE_WITH_NAT ? ec2.SubnetType.PRIVATE_WITH_EGRESS : subnetType;
}

/** The name users write in code: `PUBLIC`, `PRIVATE_WITH_EGRESS`, `PRIVATE_ISOLATED`. */
export function subnetTypeName(subnetType: ec2.SubnetType): string {
  return subnetTypeSegment(subnetType).toUpperCase().replace(/-/g, '_');
}

/** Per subnet type: the path segment used below the prefix. */
export function subnetTypeSegment(subnetType: ec2.SubnetType): string {
  switch (canonicalSubnetType(subnetType)) {
    case ec2.SubnetType.PUBLIC:
      return 'public';
    case ec2.SubnetType.PRIVATE_WITH_EGRESS:
      return 'private-with-egress';
    case ec2.SubnetType.PRIVATE_ISOLATED:
      return 'private-isolated';
    default:
      throw new Error(`unsupported subnet type ${subnetType}`);
  }
}

/** The names of every parameter for one VPC under `prefix`. */
export class ParameterNames {
  constructor(private readonly prefix: string) {}

  public get vpcId(): string {
    return `${this.prefix}/vpc-id`;
  }

  public get vpcCidr(): string {
    return `${this.prefix}/vpc-cidr`;
  }

  public get availabilityZones(): string {
    return `${this.prefix}/availability-zones`;
  }

  /** The subnet types the VPC has, as segments (`public,private-isolated`), in publication order. */
  public get subnetTypes(): string {
    return `${this.prefix}/subnet-types`;
  }

  /** What gives the private subnets with egress their way out: `nat-gateway`, `nat-instance` or `none`. */
  public get privateEgress(): string {
    return `${this.prefix}/private-egress`;
  }

  public subnetIds(subnetType: ec2.SubnetType): string {
    return `${this.prefix}/${subnetTypeSegment(subnetType)}/subnet-ids`;
  }

  public routeTableIds(subnetType: ec2.SubnetType): string {
    return `${this.prefix}/${subnetTypeSegment(subnetType)}/route-table-ids`;
  }

  public subnetCidrs(subnetType: ec2.SubnetType): string {
    return `${this.prefix}/${subnetTypeSegment(subnetType)}/subnet-cidrs`;
  }

  /** Every name published for a VPC with these subnet types, in publication order. */
  public all(subnetTypes: ec2.SubnetType[]): string[] {
    return [
      this.vpcId,
      this.vpcCidr,
      this.availabilityZones,
      this.subnetTypes,
      ...subnetTypes.flatMap((t) => [this.subnetIds(t), this.routeTableIds(t), this.subnetCidrs(t)]),
    ];
  }
}

/**
 * Validates a parameter prefix: a fully qualified SSM path that the library
 * can append `/<subnet type>/<key>` to.
 */
export function checkParameterPrefix(path: string, prop: string, prefix: string): void {
  checkHierarchicalName(path, prop, prefix, {
    maxLevels: MAX_SSM_LEVELS - LEVELS_BELOW_PREFIX,
    maxLength: MAX_SSM_NAME_LENGTH - LONGEST_SUFFIX,
    why: ` (SSM allows ${MAX_SSM_LEVELS} levels and ${MAX_SSM_NAME_LENGTH} characters, and the construct appends up to ${LEVELS_BELOW_PREFIX} levels and ${LONGEST_SUFFIX} characters)`,
  });
}

/** Validates a full parameter name (for example the seed's `/go-on-aws/vpc`). */
export function checkParameterName(path: string, prop: string, name: string): void {
  checkHierarchicalName(path, prop, name, { maxLevels: MAX_SSM_LEVELS, maxLength: MAX_SSM_NAME_LENGTH, why: ' (the limits of SSM)' });
}

function checkHierarchicalName(
  path: string,
  prop: string,
  name: string,
  limits: { maxLevels: number; maxLength: number; why: string },
): void {
  if (Token.isUnresolved(name)) {
    invalid(path, prop, name, 'must be a literal string, because parameter names are computed at synth time; pass the value itself instead of a token');
  }
  if (!name.startsWith('/')) {
    invalid(path, prop, name, 'must start with "/" (a fully qualified SSM path such as "/my-app/network")');
  }
  if (name.endsWith('/')) {
    invalid(path, prop, name, 'must not end with "/" (use "/my-app/network", not "/my-app/network/")');
  }
  const segments = name.slice(1).split('/');
  if (segments.some((s) => !SEGMENT.test(s))) {
    invalid(path, prop, name, 'may only contain segments of letters, digits, "_", "." and "-" separated by single "/"');
  }
  if (/^(aws|ssm)/i.test(segments[0])) {
    invalid(path, prop, name, 'must not start with "/aws" or "/ssm" (reserved by AWS, in any letter case)');
  }
  if (segments.length > limits.maxLevels) {
    invalid(path, prop, name, `may have at most ${limits.maxLevels} levels${limits.why}, this one has ${segments.length}`);
  }
  if (name.length > limits.maxLength) {
    invalid(path, prop, name, `may be at most ${limits.maxLength} characters long${limits.why}, this one has ${name.length}`);
  }
}
