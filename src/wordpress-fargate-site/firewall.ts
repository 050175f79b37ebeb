import { Aws, Duration, Names, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { checkInteger, fitted, invalid, replaceDisallowed } from '../private/validation';

/**
 * The web application firewall of a `WordpressFargateSite`: an AWS WAF web ACL on its
 * load balancer with AWS's managed rules for WordPress, PHP, SQL injection, known bad
 * inputs and the common rule set, and a rate limit per client on form submissions to the
 * login and registration.
 */
export interface WordpressFirewallOptions {
  /**
   * How many form submissions (POST) to `rateLimitedPaths` one client may send per
   * `rateLimitWindow` before the firewall blocks its further ones, from 10. Many visitors
   * behind one address (a campus, a company) share it: keep room for them.
   *
   * @default 100
   */
  readonly rateLimit?: number;

  /**
   * The window the rate limit counts over: 1, 2, 5 or 10 minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly rateLimitWindow?: Duration;

  /**
   * The paths whose form submissions are rate-limited, each starting with "/" (matched
   * as a prefix, case-insensitively, after URL decoding), at most 10.
   *
   * @default ['/wp-login.php', '/wp-signup.php', '/xmlrpc.php'] (login, registration, XML-RPC)
   */
  readonly rateLimitedPaths?: string[];

  /**
   * Count what the rules match without blocking anything, to watch the firewall on real
   * traffic (the `Counted...` metrics) before it blocks.
   *
   * @default false
   */
  readonly countOnly?: boolean;
}

/** The firewall built: the web ACL and the metric of the requests it blocked. */
export interface SiteFirewall {
  readonly webAcl: wafv2.CfnWebACL;
  readonly blockedRequests: cloudwatch.IMetric;
}

/**
 * AWS managed rule groups, in evaluation order after the rate limit, with their capacity
 * (WCU): 1,300 with the rate limit's few, under the 1,500 of a web ACL's base price.
 * The common rule set's 8 KB body limit would block uploads and long posts: it counts.
 */
const MANAGED_RULE_GROUPS: ReadonlyArray<{ name: string; countOnly?: string[] }> = [
  { name: 'AWSManagedRulesCommonRuleSet', countOnly: ['SizeRestrictions_BODY'] }, // 700
  { name: 'AWSManagedRulesKnownBadInputsRuleSet' }, // 200
  { name: 'AWSManagedRulesSQLiRuleSet' }, // 200
  { name: 'AWSManagedRulesPHPRuleSet' }, // 100
  { name: 'AWSManagedRulesWordPressRuleSet' }, // 100
];

const DEFAULT_RATE_LIMITED_PATHS = ['/wp-login.php', '/wp-signup.php', '/xmlrpc.php'];
const WINDOWS_SECONDS = [60, 120, 300, 600];

/**
 * Creates the web ACL (`Firewall`) on the load balancer. `clientAddressHeader` names the
 * header that carries the client's address when a proxy of ours stands in front (the CDN);
 * otherwise the rate limit counts the address the load balancer sees.
 */
export function createFirewall(
  scope: Construct, loadBalancer: elbv2.IApplicationLoadBalancer, options: WordpressFirewallOptions, clientAddressHeader?: string,
): SiteFirewall {
  const settings = resolveFirewall(scope.node.path, options);
  const name = Names.uniqueResourceName(scope, { maxLength: 120, separator: '-' }) + '-waf';
  const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
  const webAcl = new wafv2.CfnWebACL(scope, 'Firewall', {
    name,
    // AWS WAF: letters, digits, _ + = : # @ / - , . and white space, at most 256
    description: fitted(replaceDisallowed(`WordPress site ${scope.node.path}: managed rules and a rate limit on logins and registrations`, /[^\w+=:#@/\-,.\s]+/g), 256),
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility(name),
    rules: [
      {
        name: 'RateLimitForms',
        priority: 0,
        action: settings.countOnly ? { count: {} } : { block: {} },
        statement: {
          rateBasedStatement: {
            limit: settings.rateLimit,
            evaluationWindowSec: settings.windowSeconds,
            ...(clientAddressHeader
              ? { aggregateKeyType: 'FORWARDED_IP', forwardedIpConfig: { headerName: clientAddressHeader, fallbackBehavior: 'MATCH' } }
              : { aggregateKeyType: 'IP' }),
            scopeDownStatement: { andStatement: { statements: [postRequests(), anyOf(settings.paths.map(pathStartsWith))] } },
          },
        },
        visibilityConfig: visibility('RateLimitForms'),
      },
      ...MANAGED_RULE_GROUPS.map((group, i) => ({
        name: group.name,
        priority: i + 1,
        overrideAction: settings.countOnly ? { count: {} } : { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: group.name,
            ruleActionOverrides: group.countOnly?.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
          },
        },
        visibilityConfig: visibility(group.name),
      })),
    ],
  });
  new wafv2.CfnWebACLAssociation(scope, 'FirewallAssociation', {
    resourceArn: loadBalancer.loadBalancerArn,
    webAclArn: webAcl.attrArn,
  });
  return {
    webAcl,
    blockedRequests: new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: name, Rule: 'ALL', Region: Aws.REGION },
      statistic: 'Sum',
      period: Duration.minutes(1),
      label: 'Requests the firewall blocked',
    }),
  };
}

function resolveFirewall(path: string, options: WordpressFirewallOptions) {
  const rateLimit = checkInteger(path, 'firewall.rateLimit', options.rateLimit, { min: 10, max: 2_000_000_000 }) ?? 100;
  const window = options.rateLimitWindow ?? Duration.minutes(5);
  const windowSeconds = window.toSeconds({ integral: false });
  if (!Token.isUnresolved(windowSeconds) && !WINDOWS_SECONDS.includes(windowSeconds)) {
    invalid(path, 'firewall.rateLimitWindow', window.toHumanString(), 'must be 1, 2, 5 or 10 minutes (what AWS WAF rate-based rules count over)');
  }
  const paths = options.rateLimitedPaths ?? DEFAULT_RATE_LIMITED_PATHS;
  if (paths.length === 0 || paths.length > 10) {
    invalid(path, 'firewall.rateLimitedPaths', paths, 'must name 1 to 10 paths');
  }
  paths.forEach((p, i) => {
    if (!/^\/[\x21-\x7e]{0,199}$/.test(p)) {
      invalid(path, `firewall.rateLimitedPaths[${i}]`, p, 'must start with "/" and have at most 200 visible ASCII characters, no spaces (a URL path)');
    }
  });
  return { rateLimit, windowSeconds, paths: paths.map((p) => p.toLowerCase()), countOnly: options.countOnly ?? false };
}

function postRequests(): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { method: {} },
      positionalConstraint: 'EXACTLY',
      searchString: 'POST',
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

/** A path prefix, after URL decoding (`/wp-login%2ephp` is still the login) and in lower case. */
function pathStartsWith(prefix: string): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: 'STARTS_WITH',
      searchString: prefix,
      textTransformations: [{ priority: 0, type: 'URL_DECODE' }, { priority: 1, type: 'LOWERCASE' }],
    },
  };
}

/** An Or of the statements (WAF wants at least two in an Or). */
function anyOf(statements: wafv2.CfnWebACL.StatementProperty[]): wafv2.CfnWebACL.StatementProperty {
  return statements.length === 1 ? statements[0] : { orStatement: { statements } };
}
