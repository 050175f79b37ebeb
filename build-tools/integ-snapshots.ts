/**
 * Offline snapshots of the integ tests.
 *
 * Every `integ/integ.<name>.ts` is synthesized the way integ-runner synthesizes it
 * (no path metadata, no version reporting, no asset metadata) and its templates are
 * compared with the committed `integ/integ.<name>.ts.snapshot/` directory, which keeps
 * integ-runner's layout (manifest.json, integ.json, one template per stack).
 *
 * Why not integ-runner itself: the newest @aws-cdk/integ-runner on npm (2.197.10)
 * reads cloud assembly schema 53 at most, and aws-cdk-lib 2.258 and later write 54+
 * ("Cloud assembly schema version mismatch"), so it cannot read any assembly of the
 * aws-cdk-lib versions this library supports.
 *
 *   tsx build-tools/integ-snapshots.ts            verify every snapshot, exit 1 on a difference
 *   tsx build-tools/integ-snapshots.ts --update   rewrite the snapshots (then review the diff)
 *   ... [integ/integ.<name>.ts ...]               only these tests
 *
 * The unit test suite runs the same comparison (test/integ-snapshots.test.ts), so a
 * changed template without an updated snapshot fails `npm test`.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const INTEG_DIR = path.join(ROOT, 'integ');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/**
 * Files a snapshot keeps: the manifest, the test cases and the templates (what a
 * snapshot comparison needs), not the asset manifests and bundles, which change
 * with every assertion salt.
 */
const KEPT = /^(manifest\.json|integ\.json|.+\.template\.json)$/;
/** Files the comparison looks at. */
const COMPARED = /^(integ\.json|.+\.template\.json)$/;

/** The integ test files, relative to the repository root, in name order. */
export function integTests(): string[] {
  return fs.readdirSync(INTEG_DIR)
    .filter((f) => /^integ\..+\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join('integ', f));
}

export function snapshotDirOf(testFile: string): string {
  return path.join(ROOT, `${testFile}.snapshot`);
}

/** The environment of an integ test's synthesis: as integ-runner sets it, without the machine's AWS setup. */
function synthesisEnv(outdir: string): NodeJS.ProcessEnv {
  const machineEnv = Object.fromEntries(Object.entries(process.env)
    .filter(([k]) => !/^(CDK_DEFAULT_|CDK_INTEG_|AWS_)/.test(k)));
  return {
    ...machineEnv,
    CDK_OUTDIR: outdir,
    CDK_DISABLE_STACK_TRACE: '1',
    CDK_CONTEXT_JSON: JSON.stringify({
      'aws:cdk:enable-path-metadata': false,
      'aws:cdk:enable-asset-metadata': false,
      'aws:cdk:version-reporting': false,
    }),
  };
}

/** Synthesizes one integ test into a fresh temporary directory and returns it. */
export function synthesize(testFile: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-integ-'));
  const result = spawnSync(TSX, [path.join(ROOT, testFile)], { cwd: ROOT, encoding: 'utf-8', timeout: 180_000, env: synthesisEnv(outdir) });
  if (result.status !== 0) {
    throw new Error(`Synthesizing ${testFile} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  return outdir;
}

/** Synthesizes several integ tests at once (one process each); resolves to their directories. */
export async function synthesizeAll(testFiles: string[]): Promise<Map<string, string>> {
  const entries = await Promise.all(testFiles.map((testFile) => new Promise<[string, string]>((resolve, reject) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-integ-'));
    const child = spawn(TSX, [path.join(ROOT, testFile)], { cwd: ROOT, env: synthesisEnv(outdir), timeout: 300_000 });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code, signal) => code === 0
      ? resolve([testFile, outdir])
      : reject(new Error(`Synthesizing ${testFile} failed (exit ${code ?? signal}):\n${output}`)));
  })));
  return new Map(entries);
}

/**
 * The differences between a snapshot and a freshly synthesized assembly, one line each;
 * empty when they match.
 */
export function compare(snapshotDir: string, assemblyDir: string): string[] {
  if (!fs.existsSync(snapshotDir)) {
    return [`no snapshot at ${path.relative(ROOT, snapshotDir)}`];
  }
  const expected = comparedFiles(snapshotDir);
  const actual = comparedFiles(assemblyDir);
  const differences: string[] = [];
  for (const file of Object.keys(expected)) {
    if (!(file in actual)) {
      differences.push(`${file}: in the snapshot, no longer synthesized`);
    }
  }
  for (const [file, json] of Object.entries(actual)) {
    if (!(file in expected)) {
      differences.push(`${file}: synthesized, not in the snapshot`);
    } else {
      differences.push(...diffJson(expected[file], json, file));
    }
  }
  return differences;
}

/** Synthesizes a test and compares it with its committed snapshot. */
export function verify(testFile: string): string[] {
  const outdir = synthesize(testFile);
  try {
    return compare(snapshotDirOf(testFile), outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesizes a test and replaces its snapshot directory with the result. */
export function update(testFile: string): void {
  const outdir = synthesize(testFile);
  const snapshotDir = snapshotDirOf(testFile);
  fs.rmSync(snapshotDir, { recursive: true, force: true });
  fs.mkdirSync(snapshotDir, { recursive: true });
  for (const file of fs.readdirSync(outdir).filter((f) => KEPT.test(f)).sort()) {
    const json = normalize(JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf-8')));
    fs.writeFileSync(path.join(snapshotDir, file), `${JSON.stringify(json, undefined, 1)}\n`);
  }
  fs.rmSync(outdir, { recursive: true, force: true });
}

function comparedFiles(dir: string): Record<string, unknown> {
  return Object.fromEntries(fs.readdirSync(dir)
    .filter((f) => COMPARED.test(f))
    .map((f) => [f, normalize(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf-8')))]));
}

/**
 * Removes what legitimately changes from one synthesis to the next: integ-tests
 * assertions carry a `salt` of the current time so that they run on every deployment,
 * which changes the hash of the assertion stack's template in the manifest.
 */
function normalize(json: unknown): unknown {
  if (Array.isArray(json)) {
    return json.map(normalize);
  }
  if (json && typeof json === 'object') {
    return Object.fromEntries(Object.entries(json).map(([k, v]) => {
      if (k === 'salt') {
        return [k, '<salt>'];
      }
      if (k === 'stackTemplateAssetObjectUrl' && typeof v === 'string') {
        return [k, v.replace(/[0-9a-f]{64}\.json$/, '<template-hash>.json')];
      }
      return [k, normalize(v)];
    }));
  }
  return json;
}

/** Every leaf that differs, as `file: path: snapshot <a>, now <b>`, at most 25 per file. */
export function diffJson(expected: unknown, actual: unknown, where: string, limit = 25): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (out.length >= limit) {
      return;
    }
    const bothObjects = a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
    if (!bothObjects) {
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        out.push(`${where}: ${at || '(root)'}: snapshot ${show(a)}, now ${show(b)}`);
      }
      return;
    }
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const key of keys) {
      walk((a as any)[key], (b as any)[key], at ? `${at}.${key}` : key);
    }
  };
  walk(expected, actual, '');
  return out;
}

function show(value: unknown): string {
  if (value === undefined) {
    return '(absent)';
  }
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function main(argv: string[]): number {
  const updating = argv.includes('--update');
  const selected = argv.filter((a) => !a.startsWith('--'));
  const tests = selected.length > 0 ? selected.map((f) => path.relative(ROOT, path.resolve(f))) : integTests();
  let failed = 0;
  for (const test of tests) {
    const started = Date.now();
    if (updating) {
      update(test);
      console.log(`updated  ${test}.snapshot (${Date.now() - started} ms)`);
      continue;
    }
    const differences = verify(test);
    if (differences.length === 0) {
      console.log(`ok       ${test} (${Date.now() - started} ms)`);
    } else {
      failed++;
      console.log(`CHANGED  ${test}\n${differences.map((d) => `  ${d}`).join('\n')}`);
    }
  }
  if (failed > 0) {
    console.log(`\n${failed} integ snapshot(s) changed. If the change is intended, run \`npx projen integ:update\` and review the diff.`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
