import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Environment, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Shared test helpers.
 *
 * Every test app:
 * - runs with the feature flags a new CDK app gets today (what our users run with), and
 * - treats CloudFormation schema findings of CDK's built-in validation as errors, so a
 *   template CloudFormation would reject fails the test that synthesized it.
 *
 * Synthesis goes through {@link synth}, which turns a failed validation into an error
 * that lists every finding (rule, message, construct path) instead of CDK's bare
 * "Validation failed".
 */

/**
 * Schema findings of CDK's built-in CloudFormation validation are errors, warnings included
 * ("construct library strict mode"): what we ship must not produce any.
 */
export const STRICT_VALIDATION: Record<string, unknown> = {
  [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: true,
  [cxapi.STRICT_CFN_VALIDATE_ERRORS]: true,
};

/** The context every test synthesizes with: today's recommended feature flags, strict validation. */
export const TEST_CONTEXT: Record<string, unknown> = {
  ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
  ...STRICT_VALIDATION,
};

export interface TestAppOptions {
  /** Also run cdk-nag's AwsSolutions checks; unacknowledged errors fail synthesis. */
  readonly nag?: boolean;
  /** Extra context, on top of {@link TEST_CONTEXT}. */
  readonly context?: Record<string, unknown>;
  /** Synthesize without any feature flag set (an old app), schema validation still on. */
  readonly withoutFeatureFlags?: boolean;
  /** Stack traces in construct metadata; off by default because they slow synthesis down. */
  readonly stackTraces?: boolean;
}

/**
 * A fresh directory for a test app's cloud assembly: in the temporary directory, or, when
 * the app validates its templates, under CFB_TEST_OUTDIR if set, where `npx projen test`
 * keeps them for cfn-lint (`lint:cfn`), named after the test file.
 */
function assemblyDir(context: Record<string, unknown>): string {
  const root = process.env.CFB_TEST_OUTDIR;
  if (!root || context[cxapi.VALIDATE_AGAINST_DEFAULT_RULES] !== true) {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-test-'));
  }
  fs.mkdirSync(root, { recursive: true });
  const testFile = path.basename((typeof expect === 'undefined' ? undefined : expect.getState().testPath) ?? 'app', '.test.ts');
  return fs.mkdtempSync(path.join(path.resolve(root), `${testFile}-`));
}

/** A fresh App writing to its own temporary directory. */
export function testApp(options: TestAppOptions = {}): App {
  const context = options.withoutFeatureFlags
    ? { ...STRICT_VALIDATION, ...options.context }
    : { ...TEST_CONTEXT, ...options.context };
  const props: AppProps = {
    outdir: assemblyDir(context),
    context,
    stackTraces: options.stackTraces ?? false,
  };
  const app = new App(props);
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return app;
}

/** A stack in a fresh test app (or in `app`), environment-agnostic unless `props.env` is given. */
export function testStack(app: App = testApp(), id = 'TestStack', props?: StackProps): Stack {
  return new Stack(app, id, props);
}

/** One message CDK attached to a construct (warning, error or info). */
export interface SynthMessage {
  readonly level: string;
  readonly path: string;
  readonly text: string;
}

/** The result of synthesizing an app once: templates and messages per stack. */
export class Synthesized {
  constructor(public readonly assembly: cxapi.CloudAssembly) {}

  /** The template of `stack`, ready for fine-grained assertions. */
  public template(stack: Stack): Template {
    return Template.fromJSON(this.assembly.getStackArtifact(stack.artifactId).template);
  }

  /** The raw JSON template of `stack`. */
  public json(stack: Stack): any {
    return this.assembly.getStackArtifact(stack.artifactId).template;
  }

  /** Every message CDK attached to constructs of `stack` at `level`. */
  public messages(stack: Stack, level: 'warning' | 'error' | 'info'): SynthMessage[] {
    return this.assembly.getStackArtifact(stack.artifactId).messages
      .filter((m) => m.level === level)
      .map((m) => ({ level: m.level, path: m.id, text: messageText(m.entry.data) }));
  }

  /** Every warning of every stack of the app. */
  public allWarnings(): SynthMessage[] {
    return this.assembly.stacksRecursively.flatMap((s) => s.messages
      .filter((m) => m.level === 'warning')
      .map((m) => ({ level: m.level, path: m.id, text: messageText(m.entry.data) })));
  }

  /** The image assets `stack` builds at deployment: the directory each comes from, and the platform it is built for. */
  public dockerImages(stack: Stack): Array<{ directory: string; platform?: string }> {
    const manifest = this.assembly.artifacts
      .filter((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)
      .find((a) => a.id === `${stack.artifactId}.assets`);
    return Object.values(manifest?.contents.dockerImages ?? {})
      .map((image) => ({ directory: path.join(this.assembly.directory, image.source.directory!), platform: image.source.platform }));
  }

  /** The JSON templates of every stack of the app. */
  public allTemplates(): any[] {
    return this.assembly.stacksRecursively.map((s) => s.template);
  }
}

/**
 * Synthesizes the app once and returns its templates and messages.
 *
 * Fails with every finding listed when CloudFormation schema validation or cdk-nag
 * (when the app has it) reports an error.
 */
export function synth(app: App): Synthesized {
  try {
    return new Synthesized(app.synth());
  } catch (e) {
    const report = path.join(app.outdir, cxapi.VALIDATION_REPORT_FILE);
    const findings = fs.existsSync(report) ? formatValidationReport(JSON.parse(fs.readFileSync(report, 'utf-8'))) : '';
    if (findings) {
      throw new Error(`Synthesis failed validation:\n${findings}\n\n${e instanceof Error ? e.message : e}`);
    }
    throw e;
  }
}

/** Renders the violations of a CDK validation report, one line per construct. */
export function formatValidationReport(report: any): string {
  const lines: string[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      for (const c of v.violatingConstructs ?? []) {
        lines.push(`  [${plugin.pluginName}] ${v.severity ?? 'error'} ${v.ruleName} at ${c.constructPath}: ${v.description}`);
      }
    }
  }
  return lines.join('\n');
}

function messageText(data: unknown): string {
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/**
 * What the CDK CLI caches in cdk.context.json for a VPC lookup in `env`: VPC
 * vpc-0a1b2c3d4e5f60718 with two public and two private subnets in zones a and b.
 */
export function vpcLookupResponse(env: { account: string; region: string }): Record<string, unknown> {
  const subnets = (letter: string, cidrs: string[]) => cidrs.map((cidr, i) => ({
    subnetId: `subnet-0${letter.repeat(15)}${i + 1}`,
    cidr,
    availabilityZone: `${env.region}${'ab'[i]}`,
    routeTableId: `rtb-0${letter.repeat(15)}${i + 1}`,
  }));
  return {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcCidrBlock: '10.0.0.0/16',
    ownerAccountId: env.account,
    availabilityZones: [],
    subnetGroups: [
      { name: 'Public', type: 'Public', subnets: subnets('a', ['10.0.0.0/18', '10.0.64.0/18']) },
      { name: 'Private', type: 'Private', subnets: subnets('b', ['10.0.128.0/18', '10.0.192.0/18']) },
    ],
  };
}

/**
 * An app in which a VPC named `vpcName` can be looked up in account 123456789012,
 * eu-west-1 (the answer of `vpcLookupResponse`), so that synthesis needs no credentials.
 */
export function appWithVpcToLookUp(vpcName: string): { app: App; env: { account: string; region: string } } {
  const env = { account: '123456789012', region: 'eu-west-1' };
  const app = testApp({
    context: {
      [`vpc-provider:account=${env.account}:filter.tag:Name=${vpcName}:region=${env.region}:returnAsymmetricSubnets=true`]: vpcLookupResponse(env),
    },
  });
  return { app, env };
}

/** One construct synthesized alone in a fresh app: its stack, the construct, its template. */
export interface Built<T> {
  readonly stack: Stack;
  readonly construct: T;
  readonly synthesized: Synthesized;
  readonly template: Template;
  readonly json: any;
}

/**
 * Builds what `create` builds in stack `TestStack` of a fresh test app (with `env` when
 * given), synthesizes the app once and returns the parts a test file asserts on.
 */
export function buildAndSynth<T>(create: (stack: Stack) => T, options: { env?: Environment; app?: TestAppOptions } = {}): Built<T> {
  const app = testApp(options.app);
  const stack = new Stack(app, 'TestStack', { env: options.env });
  const construct = create(stack);
  const synthesized = synth(app);
  return { stack, construct, synthesized, template: synthesized.template(stack), json: synthesized.json(stack) };
}
