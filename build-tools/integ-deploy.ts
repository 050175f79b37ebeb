/**
 * Deploys every integ test to the AWS account of the current credentials, checks
 * the results of its assertions, and destroys it again (the nightly workflow).
 *
 *   tsx build-tools/integ-deploy.ts [integ/integ.<name>.ts ...]
 *
 * This is what integ-runner does for a test case, done with the CDK CLI, which reads
 * the cloud assembly schema of current aws-cdk-lib releases (see integ-snapshots.ts
 * for why integ-runner cannot be used yet):
 *   1. `cdk deploy --all`: the test stacks, then the assertion stack of integ-tests,
 *      whose custom resources make the API calls and compare the results;
 *   2. every `AssertionResults...` output of the assertion stack must report success;
 *   3. `cdk destroy --all`, also when a step above failed.
 *
 * Needs bootstrapped credentials (CDK bootstrap) in AWS_REGION.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { integTests } from './integ-snapshots';

const ROOT = path.resolve(__dirname, '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');

function cdk(testFile: string, args: string[]): number {
  const app = `${path.join(ROOT, 'node_modules', '.bin', 'tsx')} ${path.join(ROOT, testFile)}`;
  const outdir = path.join(ROOT, '.tmp', 'integ-deploy', path.basename(testFile, '.ts'));
  console.log(`$ cdk ${args.join(' ')}   (${testFile})`);
  const result = spawnSync(CDK, ['--app', app, '--output', outdir, '--no-notices', ...args], { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

/** The assertion outputs that did not report success, as readable lines. */
export function failedAssertions(outputs: Record<string, Record<string, string>>): string[] {
  const failures: string[] = [];
  for (const [stack, values] of Object.entries(outputs)) {
    for (const [key, value] of Object.entries(values)) {
      if (!key.startsWith('AssertionResults')) {
        continue;
      }
      let result: { status?: string; message?: string };
      try {
        result = JSON.parse(value);
      } catch {
        result = { status: 'fail', message: `unreadable result: ${value}` };
      }
      if (result.status !== 'success') {
        failures.push(`${stack}.${key}: ${result.message ?? value}`);
      }
    }
  }
  return failures;
}

/** Deploys the test, then checks its assertions; true when every assertion passed. */
function deployAndAssert(testFile: string): boolean {
  const outputsFile = path.join(ROOT, '.tmp', 'integ-deploy', `${path.basename(testFile, '.ts')}.outputs.json`);
  fs.mkdirSync(path.dirname(outputsFile), { recursive: true });
  fs.rmSync(outputsFile, { force: true });
  if (cdk(testFile, ['deploy', '--all', '--require-approval', 'never', '--outputs-file', outputsFile]) !== 0) {
    console.error(`FAILED  ${testFile}: deployment failed`);
    return false;
  }
  const failures = failedAssertions(JSON.parse(fs.readFileSync(outputsFile, 'utf-8')));
  if (failures.length > 0) {
    console.error(`FAILED  ${testFile}:\n${failures.map((f) => `  ${f}`).join('\n')}`);
    return false;
  }
  console.log(`PASSED  ${testFile}`);
  return true;
}

/** Deploys, asserts and always destroys one test; true when all three succeeded. */
function run(testFile: string): boolean {
  let passed = false;
  try {
    passed = deployAndAssert(testFile);
  } finally {
    if (cdk(testFile, ['destroy', '--all', '--force']) !== 0) {
      console.error(`FAILED  ${testFile}: destroy failed, delete the stacks by hand`);
      passed = false;
    }
  }
  return passed;
}

if (require.main === module) {
  const selected = process.argv.slice(2);
  const tests = selected.length > 0 ? selected : integTests();
  const failed = tests.filter((t) => !run(t));
  if (failed.length > 0) {
    console.error(`\n${failed.length} of ${tests.length} integ tests failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}
