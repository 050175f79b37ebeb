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
 *
 * What it inspects where: the managed rules inspect the path, the query, the headers and
 * the cookies of every request. Their rules on the request body (cross-site scripting,
 * file inclusion, SQL injection, PHP code) block everywhere except in the site's own
 * editors: a request to `/wp-admin/` or `/wp-json/` (the block editor saves posts as HTML
 * in JSON there) that carries WordPress' logged-in cookie is only counted, since an
 * editor's post is HTML by design and WordPress checks the user's nonce and rights
 * itself. A request without that cookie (a public form plugin's endpoint, an attacker) is
 * inspected like any other; a forged cookie buys an attacker body inspection off on
 * those two paths only. AWS WAF reads the first 8 KB of a body at a load balancer.
 *
 * `/xmlrpc.php` is blocked outright by the WordPress rules (WordPressExploitablePaths_URIPATH):
 * XML-RPC serves pingbacks and old clients, and is a favourite of password guessers.
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
   * as a prefix, case-insensitively, after URL decoding), at most 4: each path costs the
   * web ACL 22 capacity units, and more would take it over the 1,500 its base price
   * includes.
   *
   * @default ['/wp-login.php', '/wp-signup.php'] (login and registration; `/xmlrpc.php` is blocked)
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

/** A managed rule group's rule that inspects the request body, and the label it adds when it matches. */
interface BodyRule {
  readonly rule: string;
  readonly label: string;
}

/**
 * AWS managed rule groups, in evaluation order after the rate limit, with their capacity
 * (WCU) as the AWS WAF Developer Guide publishes it ("AWS Managed Rules rule groups list").
 * `countOnly`: rules that only count everywhere (the common rule set's 8 KB body limit
 * would block uploads and long posts). `bodyRules`: rules on the request body that count in
 * the group and block through the `BodyRulesOutsideEditors` rule after it, by their
 * labels (each rule's label is published with it), so that they spare logged-in editors.
 */
const MANAGED_RULE_GROUPS: ReadonlyArray<{ name: string; capacity: number; countOnly?: string[]; bodyRules?: BodyRule[] }> = [
  {
    name: 'AWSManagedRulesCommonRuleSet',
    capacity: 700,
    countOnly: ['SizeRestrictions_BODY'],
    bodyRules: bodyRules('core-rule-set', ['CrossSiteScripting', 'GenericLFI', 'GenericRFI', 'EC2MetaDataSSRF']),
  },
  // its body rules (Log4JRCE_BODY, JavaDeserializationRCE_BODY, ReactJSRCE_BODY) match exploit payloads, no HTML an
  // editor writes: they block everywhere
  { name: 'AWSManagedRulesKnownBadInputsRuleSet', capacity: 200 },
  { name: 'AWSManagedRulesSQLiRuleSet', capacity: 200, bodyRules: bodyRules('sql-database', ['SQLi', 'SQLiExtendedPatterns']) },
  { name: 'AWSManagedRulesPHPRuleSet', capacity: 100, bodyRules: bodyRules('php-app', ['PHPHighRiskMethodsVariables']) },
  // blocks /xmlrpc.php (WordPressExploitablePaths_URIPATH) and exploitable commands in the query
  { name: 'AWSManagedRulesWordPressRuleSet', capacity: 100 },
];

function bodyRules(namespace: string, names: string[]): BodyRule[] {
  return names.map((name) => ({ rule: `${name}_BODY`, label: `awswaf:managed:aws:${namespace}:${name}_Body` }));
}

/**
 * Where WordPress' editors post HTML: the administration and the REST API (the block
 * editor), which without pretty permalinks is `/index.php?rest_route=/wp/v2/...` (WordPress'
 * get_rest_url(); the fallback when its install finds no working rewrites), so the query
 * argument counts as the API too. Not covered: the `/index.php/wp-json/` form of "PATHINFO"
 * permalinks.
 */
const EDITOR_PATHS = ['/wp-admin/', '/wp-json/'];
/** The cookie WordPress sets for a logged-in user (wordpress_logged_in_<hash>). */
const LOGGED_IN_COOKIE = 'wordpress_logged_in_';

const DEFAULT_RATE_LIMITED_PATHS = ['/wp-login.php', '/wp-signup.php'];
const WINDOWS_SECONDS = [60, 120, 300, 600];
/** The capacity a web ACL's base price includes (AWS WAF pricing; more is billed per request). */
const BASE_PRICE_CAPACITY = 1500;

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
  const block = settings.countOnly ? { count: {} } : { block: {} };
  const rules: wafv2.CfnWebACL.RuleProperty[] = [
    {
      name: 'RateLimitForms',
      priority: 0,
      action: block,
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
    ...MANAGED_RULE_GROUPS.map((group, i) => {
      const counted = [...group.countOnly ?? [], ...(group.bodyRules ?? []).map((r) => r.rule)];
      return {
        name: group.name,
        priority: i + 1,
        overrideAction: settings.countOnly ? { count: {} } : { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: group.name,
            ruleActionOverrides: counted.length > 0 ? counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })) : undefined,
          },
        },
        visibilityConfig: visibility(group.name),
      };
    }),
    {
      // the body rules' matches, counted in their groups, blocked here unless a logged-in editor posts them
      name: 'BodyRulesOutsideEditors',
      priority: MANAGED_RULE_GROUPS.length + 1,
      action: block,
      statement: {
        andStatement: {
          statements: [
            anyOf(MANAGED_RULE_GROUPS.flatMap((group) => group.bodyRules ?? []).map((r) => ({ labelMatchStatement: { scope: 'LABEL', key: r.label } }))),
            { notStatement: { statement: { andStatement: { statements: [editorRequests(), loggedIn()] } } } },
          ],
        },
      },
      visibilityConfig: visibility('BodyRulesOutsideEditors'),
    },
  ];
  const capacity = webAclCapacity(rules);
  if (capacity > BASE_PRICE_CAPACITY) {
    const perPath = statementCapacity(pathStartsWith('/'));
    const most = Math.floor((BASE_PRICE_CAPACITY - (capacity - perPath * settings.paths.length)) / perPath);
    invalid(scope.node.path, 'firewall.rateLimitedPaths', settings.paths,
      `names too many paths: the web ACL would need ${capacity} capacity units, more than the ${BASE_PRICE_CAPACITY} its base price includes (each path costs ${perPath}); name at most ${most}`);
  }
  const webAcl = new wafv2.CfnWebACL(scope, 'Firewall', {
    name,
    // AWS WAF: letters, digits, _ + = : # @ / - , . and white space, at most 256
    description: fitted(replaceDisallowed(`WordPress site ${scope.node.path}: managed rules and a rate limit on logins and registrations`, /[^\w+=:#@/\-,.\s]+/g), 256),
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility(name),
    rules,
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
  if (paths.length === 0) {
    invalid(path, 'firewall.rateLimitedPaths', paths, 'must name at least 1 path');
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
  return uriPathStartsWith(prefix, 'LOWERCASE');
}

/**
 * A request to `prefix` (decoded, and with its path normalized as nginx will, so that
 * `/wp-json/../wp-login.php` is the login, not the API).
 */
function editorPath(prefix: string): wafv2.CfnWebACL.StatementProperty {
  return uriPathStartsWith(prefix, 'NORMALIZE_PATH');
}

/** The URI path, URL-decoded and then transformed by `then`, starts with `prefix`. */
function uriPathStartsWith(prefix: string, then: string): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: 'STARTS_WITH',
      searchString: prefix,
      textTransformations: [{ priority: 0, type: 'URL_DECODE' }, { priority: 1, type: then }],
    },
  };
}

/** A request to the administration or the REST API, by path or by query. */
function editorRequests(): wafv2.CfnWebACL.StatementProperty {
  return anyOf([...EDITOR_PATHS.map(editorPath), restRouteQuery()]);
}

/** The request asks WordPress' REST API through the query: `?rest_route=/...` (URL-decoded; WAF matches the argument's name in any case). */
function restRouteQuery(): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { singleQueryArgument: { Name: 'rest_route' } },
      positionalConstraint: 'STARTS_WITH',
      searchString: '/',
      textTransformations: [{ priority: 0, type: 'URL_DECODE' }],
    },
  };
}

/** The request carries WordPress' logged-in cookie. */
function loggedIn(): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { singleHeader: { Name: 'cookie' } },
      positionalConstraint: 'CONTAINS',
      searchString: LOGGED_IN_COOKIE,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

/**
 * The capacity units (WCU) of the web ACL's rules, as the AWS WAF Developer Guide
 * prices each statement: a managed group its published capacity; a rate-based statement 2
 * plus its scope-down; a string match 2 (exact, prefix, suffix) or 10 (contains), plus 10
 * per text transformation (NONE counted too: an upper bound); a label match 1; And, Or
 * and Not the sum of what they hold.
 */
function webAclCapacity(rules: wafv2.CfnWebACL.RuleProperty[]): number {
  return rules.reduce((sum, rule) => sum + statementCapacity(rule.statement), 0);
}

/** The capacity units of one statement (see webAclCapacity). */
function statementCapacity(root: wafv2.CfnWebACL.StatementProperty | unknown): number {
  const statement = (s: any): number => {
    if (s.managedRuleGroupStatement) {
      return MANAGED_RULE_GROUPS.find((g) => g.name === s.managedRuleGroupStatement.name)!.capacity;
    }
    if (s.rateBasedStatement) {
      return 2 + (s.rateBasedStatement.scopeDownStatement ? statement(s.rateBasedStatement.scopeDownStatement) : 0);
    }
    if (s.byteMatchStatement) {
      const match = s.byteMatchStatement;
      return (['CONTAINS', 'CONTAINS_WORD'].includes(match.positionalConstraint) ? 10 : 2) + 10 * match.textTransformations.length;
    }
    if (s.labelMatchStatement) {
      return 1;
    }
    const nested = s.andStatement?.statements ?? s.orStatement?.statements ?? (s.notStatement ? [s.notStatement.statement] : []);
    return nested.reduce((sum: number, n: unknown) => sum + statement(n), 0);
  };
  return statement(root);
}

/** An Or of the statements (WAF wants at least two in an Or). */
function anyOf(statements: wafv2.CfnWebACL.StatementProperty[]): wafv2.CfnWebACL.StatementProperty {
  return statements.length === 1 ? statements[0] : { orStatement: { statements } };
}
