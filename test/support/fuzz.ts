import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { testApp, vpcLookupResponse } from './app';
import { ConstructCase, leafPropNames, propNames, StackEnv, VPC_NAMES } from './arbitraries';
import { REGION_ENV } from './fixtures';
import { serviceLimitFindings } from './service-limits';

/**
 * The property of the props fuzz suite (test/props.fuzz.test.ts), one case at a time.
 *
 * A case either
 * - is refused with a plain `Error` (never a TypeError or RangeError) whose message
 *   starts with the construct's path and names, right after it, a prop the case sets; or
 * - synthesizes, with CDK's CloudFormation schema validation (strict: its warnings count
 *   too) and the service limits the schema does not know (service-limits.ts) reporting
 *   nothing. Warnings the constructs add on purpose (annotations) are not findings.
 */

/** How a case ended. */
export type Outcome = 'refused' | 'synthesized';

const ACCOUNT_ENV = { account: '123456789012', region: 'eu-west-1' };

/** A strict test app that knows the availability zones and the VPCs the arbitraries look up, offline. */
export function fuzzApp(env: StackEnv): { app: App; stack: Stack } {
  const context: Record<string, unknown> = {
    [`availability-zones:account=${ACCOUNT_ENV.account}:region=${ACCOUNT_ENV.region}`]: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  };
  for (const name of VPC_NAMES) {
    context[`vpc-provider:account=${ACCOUNT_ENV.account}:filter.tag:Name=${name}:region=${ACCOUNT_ENV.region}:returnAsymmetricSubnets=true`] = vpcLookupResponse(ACCOUNT_ENV);
  }
  const app = testApp({ context });
  const stack = new Stack(app, 'TestStack', { env: env === 'agnostic' ? undefined : env === 'region' ? REGION_ENV : ACCOUNT_ENV });
  return { app, stack };
}

/** Checks one case; throws, saying what went wrong, when the property does not hold. */
export function checkCase(c: ConstructCase): Outcome {
  const { app, stack } = fuzzApp(c.env);
  try {
    // the props are the user's own calls (new ec2.Vpc, Duration.millis, ...): built first
    const props = c.props.build(stack);
    const constructPath = `${stack.node.path}/${c.id}`;
    try {
      c.instantiate(stack, props);
    } catch (e) {
      // the construct id is the user's too: it is refused as `id`
      expectClearRefusal(e, constructPath, ['id', ...propNames(c.props)], leafPropNames(c.props));
      return 'refused';
    }
    const findings = synthFindings(app);
    if (findings.length > 0) {
      throw new Error(`synthesized a template CloudFormation refuses:\n  ${findings.join('\n  ')}`);
    }
    return 'synthesized';
  } finally {
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
}

/**
 * A refusal is a plain Error whose message starts with `<path>: ` followed by a prop
 * the case sets (`cluster and vpc ...`, `scaling.schedules[1].id ...`,
 * `healthCheckInterval (seconds) ...`, `environment/secrets BUCKET_NAME ...`).
 */
export function expectClearRefusal(e: unknown, constructPath: string, names: string[], leaves: string[] = []): void {
  if (!(e instanceof Error) || [TypeError, RangeError, SyntaxError, ReferenceError].some((t) => e instanceof t)) {
    throw new Error(`refused with ${e instanceof Error ? e.constructor.name : typeof e}, not a plain Error: ${e instanceof Error ? e.stack : String(e)}`);
  }
  if (!e.message.startsWith(`${constructPath}: `)) {
    throw new Error(`refused with a message that does not start with the construct path "${constructPath}: ": ${e.message}\n${e.stack}`);
  }
  // `containerPorts[1]`, `containerHealthCheck.retries`: a part of a literal list or object the case set
  const subject = e.message.slice(constructPath.length + 2).split(' ')[0];
  const partOf = (prop: string) => leaves.some((leaf) => prop.startsWith(`${leaf}.`) || prop.startsWith(`${leaf}[`));
  if (!subject.split('/').some((prop) => names.includes(prop) || partOf(prop))) {
    throw new Error(`refused with a message whose subject "${subject}" is none of the props the case sets (${names.join(', ')}): ${e.message}`);
  }
}

/**
 * Synthesizes the app and returns every finding: those of CloudFormation schema
 * validation (errors and warnings), annotation errors, and broken service limits.
 */
export function synthFindings(app: App): string[] {
  const findings: string[] = [];
  try {
    app.synth();
  } catch (e) {
    const reportFile = path.join(app.outdir, cxapi.VALIDATION_REPORT_FILE);
    if (!fs.existsSync(reportFile)) {
      throw e;
    }
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8'));
    for (const plugin of report.pluginReports ?? []) {
      for (const v of plugin.violations ?? []) {
        // construct annotations: the warnings a construct adds on purpose are advice, not findings
        if (plugin.pluginName === 'Construct Annotations' && v.severity !== 'error') {
          continue;
        }
        for (const c of v.violatingConstructs ?? []) {
          findings.push(`[${plugin.pluginName}] ${v.severity ?? 'error'} ${v.ruleName} at ${c.constructPath}: ${v.description}`);
        }
      }
    }
  }
  for (const file of fs.readdirSync(app.outdir).filter((f) => f.endsWith('.template.json'))) {
    findings.push(...serviceLimitFindings(JSON.parse(fs.readFileSync(path.join(app.outdir, file), 'utf-8'))));
  }
  return findings;
}
