import fc from 'fast-check';
import {
  ConstructCase, importedVpcCase, loadBalancedScalingServiceCase, scheduledFargateEtlCase, ssmDecoupledVpcCase, wordpressFargateSiteCase,
} from './support/arbitraries';
import { checkCase, Outcome } from './support/fuzz';
import { serviceLimitFindings } from './support/service-limits';

/**
 * Property-based tests of every construct's props (issue 12): bad input never reaches
 * CloudFormation.
 *
 * For props generated from test/support/arbitraries.ts, each case is either refused
 * with a plain Error that starts with the construct's path and names the prop, or
 * synthesizes with no CloudFormation validation finding and no broken service limit
 * (the property: checkCase in test/support/fuzz.ts).
 *
 * The test command runs a fixed seed and a bounded number of cases per construct.
 * `npx projen fuzz` runs many more with a random seed; a failure prints the seed and the
 * path that replay it: `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx projen fuzz`. Shrunk
 * counterexamples become rows of test/bad-input.test.ts.
 */

const LONG = process.env.FUZZ === 'long';
const SEED = process.env.FUZZ_SEED && process.env.FUZZ_SEED !== 'random'
  ? Number(process.env.FUZZ_SEED)
  : LONG || process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : 12;
const PATH = process.env.FUZZ_PATH;

/** Cases per construct in the test command (kept under ~45 s for the file on 2 cores). */
const CI_RUNS: Record<string, number> = {
  'SsmDecoupledVpc': 50,
  'SsmDecoupledVpc.fromParameters': 100,
  'LoadBalancedScalingService': 70,
  'ScheduledFargateEtl': 70,
  'WordpressFargateSite': 70,
};
const runsOf = (construct: string) => Number(process.env.FUZZ_RUNS ?? (LONG ? 2000 : CI_RUNS[construct]));

/** Runs the property for `arbitrary`; a failure names the seed and path that replay it. */
function assertProperty(name: string, arbitrary: fc.Arbitrary<ConstructCase>): Record<Outcome, number> {
  const outcomes: Record<Outcome, number> = { refused: 0, synthesized: 0 };
  const numRuns = runsOf(name);
  const started = Date.now();
  try {
    fc.assert(fc.property(arbitrary, (c) => {
      outcomes[checkCase(c)]++;
    }), { seed: SEED, path: PATH, numRuns, endOnFailure: false });
  } catch (e) {
    const replay = /seed: (-?\d+), path: "([^"]*)"/.exec(String((e as Error).message));
    const how = replay ? `\n\nReplay: FUZZ_SEED=${replay[1]} FUZZ_PATH=${replay[2]} FUZZ_RUNS=${numRuns} npx projen fuzz -t '^${name.replace(/\./g, '\\.')} every'` : '';
    (e as Error).message += how;
    throw e;
  }
  if (LONG || process.env.FUZZ_VERBOSE) {
    // eslint-disable-next-line no-console
    console.log(`${name}: ${numRuns} cases (seed ${SEED}): ${outcomes.refused} refused, ${outcomes.synthesized} synthesized, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return outcomes;
}

beforeAll(() => {
  if (LONG) {
    // eslint-disable-next-line no-console
    console.log(`props fuzz: seed ${SEED}${PATH ? `, path ${PATH}` : ''}; replay with FUZZ_SEED=${SEED} npx projen fuzz`);
  }
});

const CASES: Array<[string, fc.Arbitrary<ConstructCase>]> = [
  ['SsmDecoupledVpc', ssmDecoupledVpcCase],
  ['SsmDecoupledVpc.fromParameters', importedVpcCase],
  ['LoadBalancedScalingService', loadBalancedScalingServiceCase],
  ['ScheduledFargateEtl', scheduledFargateEtlCase],
  ['WordpressFargateSite', wordpressFargateSiteCase],
];

describe.each(CASES)('%s', (name, arbitrary) => {
  test('every case is refused with an error naming the path and the prop, or synthesizes without a CloudFormation finding', () => {
    const outcomes = assertProperty(name, arbitrary);
    // a run that never gets past validation, or never reaches it, proves little
    // (a replay of one counterexample with FUZZ_PATH has a single case)
    const runs = outcomes.refused + outcomes.synthesized;
    expect(runs).toBeGreaterThan(0);
    if (!PATH) {
      expect(outcomes.refused).toBeGreaterThanOrEqual(runs / 10);
      expect(outcomes.synthesized).toBeGreaterThanOrEqual(runs / 10);
    }
  }, LONG ? 6 * 60 * 60 * 1000 : 120_000);
});

describe('the service limits the schema does not check', () => {
  const task = (container: Record<string, unknown>) => ({
    Resources: { Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { RequiresCompatibilities: ['FARGATE'], ContainerDefinitions: [{ Name: 'mysql', ...container }] } } },
  });

  test('a Fargate container may wait 2 to 120 seconds for the containers it depends on', () => {
    expect(serviceLimitFindings(task({ StartTimeout: 120 }))).toEqual([]);
    expect(serviceLimitFindings(task({ StartTimeout: 300 }))).toEqual(['Task (AWS::ECS::TaskDefinition) container mysql StartTimeout 300 is not a whole number from 2 to 120 (Fargate)']);
    expect(serviceLimitFindings(task({ StopTimeout: 1 }))).toEqual(['Task (AWS::ECS::TaskDefinition) container mysql StopTimeout 1 is not a whole number from 2 to 120 (Fargate)']);
  });

  test('a web ACL\'s description has only the characters AWS WAF accepts', () => {
    const acl = (Description: string) => ({ Resources: { Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Description } } } });
    expect(serviceLimitFindings(acl('WordPress site Stack/Blog: managed rules'))).toEqual([]);
    expect(serviceLimitFindings(acl('WordPress site Stack/Blog (prod)'))).toHaveLength(1);
  });

  test('an IAM role\'s tags have only the characters IAM accepts', () => {
    const role = (Value: string) => ({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { Tags: [{ Key: 'Name', Value }] } } } });
    expect(serviceLimitFindings(role('Stack/Blög 2/Vpc'))).toEqual([]);
    expect(serviceLimitFindings(role('Stack/Blog (prod)/Vpc'))).toEqual(['Role (AWS::IAM::Role) tag Name "Stack/Blog (prod)/Vpc" is not at most 256 letters, digits, spaces and _.:/=+-@ (IAM)']);
    expect(serviceLimitFindings(role('x'.repeat(257)))).toHaveLength(1);
  });
});
