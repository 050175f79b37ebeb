/**
 * Lets @aws-cdk/integ-runner read the cloud assemblies of the aws-cdk-lib this
 * repository tests with. Runs from the `prepare` npm script, so `npm ci` and
 * `npm install` in this repository apply it (a user's install of the published
 * package never runs `prepare`).
 *
 * The obstacle: the newest integ-runner on npm (2.197.10) bundles
 * @aws-cdk/cloud-assembly-schema 53 into its worker
 * (lib/workers/extract/index.js) and stops on any newer assembly with
 * "Cloud assembly schema version mismatch: Maximum schema version supported is
 * 53.x.x". aws-cdk-lib 2.258 and later write schema 54, 2.276 writes 55. The check
 * sits inside the bundle, and the runner's only engine (toolkit-lib) never passes
 * `skipVersionCheck`, so neither npm overrides nor runner flags reach it.
 *
 * The way through: raise the bundled maximum (`revision: 53` of the bundled
 * schema/version.json) to the schema major that the installed aws-cdk-lib writes,
 * read from aws-cdk-lib itself. The manifest's JSON schema is only validated when
 * TESTING_CDK=1, so nothing else in the runner rejects the newer assembly. What schemas
 * 54 and 55 add over 53 (compared for @aws-cdk/cloud-assembly-schema 55.6.0) is nothing
 * the runner needs to understand: a metadata entry for property mutations (debug
 * stack traces), an `allowDeleteFailures` test case option and a `destructive` value
 * for `requireApproval`.
 *
 * Loud on purpose: it fails when integ-runner is not the version it was written
 * for, when the text it patches is missing or different, or when aws-cdk-lib no
 * longer needs it. A runner upgrade therefore cannot go unnoticed.
 *
 * When it can go: as soon as an integ-runner release reads the schema that
 * aws-cdk-lib writes (`integ-runner` on a fresh install no longer reports the
 * version mismatch). Then pin that release in .projenrc.ts (INTEG_RUNNER_VERSION),
 * delete this file and the `prepare` script that .projenrc.ts adds, and run
 * `npx projen`.
 *
 *   tsx build-tools/patch-integ-runner.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { Manifest } from 'aws-cdk-lib/cloud-assembly-schema';

/** The integ-runner release this patch was written for, and the schema its worker bundles. */
const RUNNER_VERSION = '2.197.10';
const BUNDLED_SCHEMA = 53;

const ROOT = path.resolve(__dirname, '..');
const RUNNER_DIR = path.join(ROOT, 'node_modules', '@aws-cdk', 'integ-runner');
const WORKER = path.join(RUNNER_DIR, 'lib', 'workers', 'extract', 'index.js');
/** Where the bundled schema/version.json starts in the worker bundle (esbuild's module key). */
const ANCHOR = '"../cloud-assembly-schema/schema/version.json"(exports2, module2) {';
/** The revision line that follows the anchor, with the note this script leaves when it patched it. */
const REVISION = /revision: (\d+)( \/\* patched by build-tools\/patch-integ-runner\.ts, was (\d+) \*\/)?\n/;

function fail(message: string): never {
  console.error(`patch-integ-runner: ${message}`);
  process.exit(1);
}

function main(): void {
  if (!fs.existsSync(WORKER)) {
    fail(`${path.relative(ROOT, WORKER)} not found: is @aws-cdk/integ-runner installed (npm ci)?`);
  }
  const runnerVersion: string = JSON.parse(fs.readFileSync(path.join(RUNNER_DIR, 'package.json'), 'utf-8')).version;
  if (runnerVersion !== RUNNER_VERSION) {
    fail(`@aws-cdk/integ-runner is ${runnerVersion}; this patch was written for ${RUNNER_VERSION}. `
      + 'If the new runner reads the cloud assembly schema that aws-cdk-lib writes, delete this script and the '
      + '`prepare` script in .projenrc.ts; otherwise check its worker bundle and update RUNNER_VERSION and BUNDLED_SCHEMA here.');
  }

  const target = Number(Manifest.version().split('.')[0]);
  if (!(target > BUNDLED_SCHEMA)) {
    fail(`aws-cdk-lib writes cloud assembly schema ${Manifest.version()}, which integ-runner ${RUNNER_VERSION} reads as it is: `
      + 'delete this script and the `prepare` script in .projenrc.ts.');
  }

  const source = fs.readFileSync(WORKER, 'utf-8');
  const at = source.indexOf(ANCHOR);
  if (at < 0 || source.indexOf(ANCHOR, at + 1) >= 0) {
    fail(`expected exactly one bundled schema/version.json in ${path.relative(ROOT, WORKER)}, found ${at < 0 ? 'none' : 'several'}`);
  }
  const blockEnd = source.indexOf('}', at + ANCHOR.length);
  const block = source.slice(at, blockEnd);
  const found = REVISION.exec(block);
  if (!found) {
    fail(`no \`revision: <number>\` in the bundled schema/version.json of ${path.relative(ROOT, WORKER)}:\n${block}`);
  }
  const [line, current, note, original] = found;
  if (!note && Number(current) !== BUNDLED_SCHEMA) {
    fail(`the bundled schema/version.json says revision ${current}, expected ${BUNDLED_SCHEMA}: the runner changed, check it by hand`);
  }
  const replacement = `revision: ${target} /* patched by build-tools/patch-integ-runner.ts, was ${original ?? current} */\n`;
  if (line === replacement) {
    console.log(`patch-integ-runner: integ-runner ${RUNNER_VERSION} already reads cloud assembly schema up to ${target}`);
    return;
  }
  const start = at + found.index;
  fs.writeFileSync(WORKER, source.slice(0, start) + replacement + source.slice(start + line.length));
  console.log(`patch-integ-runner: integ-runner ${RUNNER_VERSION} now reads cloud assembly schema up to ${target} `
    + `(aws-cdk-lib writes ${Manifest.version()}; the runner bundles ${BUNDLED_SCHEMA})`);
}

main();
