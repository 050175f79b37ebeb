import { execFile, execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

/**
 * `npx projen compat` (build-tools/compat.sh), run as test:all runs it, on a two-version
 * jsii package whose first version a registry on 127.0.0.1 serves as the latest release:
 * a removed prop of an experimental struct fails the check unless .compatignore lists it
 * with a reason, and a registry that has no release says there is nothing to compare
 * with and passes.
 */

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const SCRIPT = path.join(ROOT, 'build-tools', 'compat.sh');
const PROBE = 'compat-probe';
const REMOVED_KEY = `removed:${PROBE}.ProbeProps.label`;

const SOURCE = (withLabel: boolean) => `
/** What a Probe takes. */
export interface ProbeProps {
  /** The probe's name. @default - none */
  readonly name?: string;
${withLabel ? '  /** A label. @default - none */\n  readonly label?: string;\n' : ''}}
/** A probe. */
export class Probe {
  constructor(public readonly props: ProbeProps = {}) {}
}
`;

const ENV = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20', PATH: `${BIN}${path.delimiter}${process.env.PATH}` };

/** A jsii package at `version`, compiled in `dir`. */
function jsiiPackage(dir: string, version: string, withLabel: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: PROBE,
    version,
    author: { name: 'test', email: 'test@example.com' },
    repository: { type: 'git', url: 'https://example.com/probe.git' },
    license: 'Apache-2.0',
    main: 'index.js',
    types: 'index.d.ts',
    stability: 'experimental',
    jsii: { outdir: 'dist', targets: {} },
  }));
  fs.writeFileSync(path.join(dir, 'index.ts'), SOURCE(withLabel));
  execFileSync(path.join(BIN, 'jsii'), [], { cwd: dir, env: ENV, stdio: 'pipe' });
}

/** The npm registry API for one package with one version: its document and its tarball. */
function startRegistry(tarball: Buffer | undefined): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (tarball && req.url === `/${PROBE}`) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        'name': PROBE,
        'dist-tags': { latest: '1.0.0' },
        'versions': {
          '1.0.0': {
            name: PROBE,
            version: '1.0.0',
            dist: {
              tarball: `${base}/${PROBE}/-/${PROBE}-1.0.0.tgz`,
              integrity: `sha512-${crypto.createHash('sha512').update(tarball).digest('base64')}`,
              shasum: crypto.createHash('sha1').update(tarball).digest('hex'),
            },
          },
        },
      }));
    } else if (tarball && req.url === `/${PROBE}/-/${PROBE}-1.0.0.tgz`) {
      res.end(tarball);
    } else {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: 'Not found' }));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Runs the compat check in `dir` against the registry at `registry`. */
function compat(dir: string, registry: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT], {
      cwd: dir,
      timeout: 90_000,
      env: { ...ENV, npm_config_registry: registry, npm_config_cache: path.join(dir, '..', 'npm-cache'), npm_config_fetch_retries: '0' },
    }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }));
  });
}

let work: string;
let updated: string;
let tarball: Buffer;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-compat-'));
  const released = path.join(work, 'released');
  jsiiPackage(released, '1.0.0', true);
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: released, env: ENV, encoding: 'utf-8' }).trim();
  tarball = fs.readFileSync(path.join(work, packed));
  updated = path.join(work, 'updated');
  jsiiPackage(updated, '1.1.0', false);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('with a release on the registry', () => {
  let server: http.Server;
  let registry: string;
  beforeAll(async () => {
    server = await startRegistry(tarball);
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  afterEach(() => fs.rmSync(path.join(updated, '.compatignore'), { force: true }));

  test('a removed prop of an experimental struct fails, naming its key', async () => {
    const result = await compat(updated, registry);
    expect(result.output).toContain(`comparing the API with ${PROBE}@1.0.0`);
    expect(result.output).toContain(`[${REMOVED_KEY}]`);
    expect(result.code).not.toBe(0);
  });

  test('the same change passes when .compatignore lists it below its reason', async () => {
    fs.writeFileSync(path.join(updated, '.compatignore'), `# label was never read: ProbeProps.name says it all\n${REMOVED_KEY}\n`);
    const result = await compat(updated, registry);
    expect(result).toMatchObject({ code: 0 });
  });

  test('a key of .compatignore without a reason fails', async () => {
    fs.writeFileSync(path.join(updated, '.compatignore'), `${REMOVED_KEY}\n`);
    const result = await compat(updated, registry);
    expect(result.output).toContain(`.compatignore:1: ${REMOVED_KEY} has no reason`);
    expect(result.code).not.toBe(0);
  });
});

test('before the first release it passes, saying there is nothing to compare with', async () => {
  const server = await startRegistry(undefined);
  try {
    const result = await compat(updated, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(result).toEqual({ code: 0, output: `compat: ${PROBE} has no release on npm yet: nothing to compare with\n` });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a registry that does not answer fails the check instead of skipping it', async () => {
  // a port nothing listens on: a server started and closed again
  const server = await startRegistry(undefined);
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  const result = await compat(updated, `http://127.0.0.1:${port}/`);
  expect(result.output).toContain(`could not ask the npm registry for the latest release of ${PROBE}`);
  expect(result.code).not.toBe(0);
});

test('test:all, and so the build and release workflows, runs this check after compiling', () => {
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')).tasks;
  expect(tasks.compat.steps).toEqual([{ exec: 'bash build-tools/compat.sh' }]);
  const spawned = tasks['test:all'].steps.map((s: { spawn?: string }) => s.spawn);
  expect(spawned.indexOf('compat')).toBeGreaterThan(spawned.indexOf('compile'));
  expect(spawned.indexOf('compile')).toBeGreaterThanOrEqual(0);
});
