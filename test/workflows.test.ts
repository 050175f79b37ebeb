import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';

/**
 * The GitHub workflows projen writes from .projenrc.ts, read as GitHub reads them:
 * a pull request and a release run the same suite as `.ci/run`, on a runner that has
 * what the suite needs.
 */

const ROOT = path.join(__dirname, '..');
const INSTALL_SCRIPT = '.ci/install-system-packages.sh';

function workflow(name: string): any {
  return parse(fs.readFileSync(path.join(ROOT, '.github', 'workflows', `${name}.yml`), 'utf-8'));
}

const TASKS: Record<string, { steps?: Array<{ spawn?: string }> }> = JSON.parse(
  fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8'),
).tasks;

/** Every task `name` runs, itself included, following `spawn` steps. */
function tasksRunBy(name: string, seen = new Set<string>()): Set<string> {
  if (!TASKS[name]) {
    throw new Error(`no projen task ${name}`);
  }
  seen.add(name);
  for (const step of TASKS[name].steps ?? []) {
    if (step.spawn && !seen.has(step.spawn)) {
      tasksRunBy(step.spawn, seen);
    }
  }
  return seen;
}

/** The projen task a step runs (`npx projen build` → build), if any. */
function projenTask(step: any): string | undefined {
  return /^npx projen ([\w:-]+)$/.exec(step.run ?? '')?.[1];
}

describe.each([
  ['build', 'build', 'build'],
  ['release', 'release', 'release'],
])('the %s workflow', (file, job, task) => {
  const steps: any[] = workflow(file).jobs[job].steps;
  const runIndex = steps.findIndex((s) => projenTask(s) === task);

  test(`runs npx projen ${task}`, () => {
    expect(runIndex).toBeGreaterThanOrEqual(0);
  });

  test('runs the whole suite: every task of test:all', () => {
    const run = tasksRunBy(task);
    const missing = [...tasksRunBy('test:all')].filter((t) => !run.has(t));
    expect(missing).toEqual([]);
  });

  test(`installs the system packages with ${INSTALL_SCRIPT} before the suite`, () => {
    const install = steps.findIndex((s) => s.run === `bash ${INSTALL_SCRIPT}`);
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(runIndex);
  });

  test.each([
    ['actions/setup-python', { 'python-version': '3.11' }],
    ['actions/setup-java', { 'distribution': 'temurin', 'java-version': '17' }],
    ['actions/setup-go', {}],
  ])('sets up %s before the suite', (action, inputs) => {
    const setup = steps.findIndex((s) => String(s.uses ?? '').startsWith(`${action}@`));
    expect(setup).toBeGreaterThanOrEqual(0);
    expect(setup).toBeLessThan(runIndex);
    expect(steps[setup].with).toMatchObject(inputs);
  });
});

test('the jar the workflows package (package:java) resolves aws-cdk-lib in the Maven repository the install step fills', () => {
  // jsii-pacmak builds the jar with Maven in a throwaway local repository unless told
  // otherwise; Central's metadata resolves no aws-cdk-lib in the peer range, so the jar
  // builds only in the repository build-tools/maven-aws-cdk-lib.sh installs the release into
  const steps = (TASKS['package:java'].steps ?? []) as Array<{ exec?: string }>;
  const install = steps.findIndex((s) => /^bash build-tools\/maven-aws-cdk-lib\.sh \d+\.\d+\.\d+$/.test(s.exec ?? ''));
  const pacmak = steps.findIndex((s) => /^jsii-pacmak .*--target java .*--maven-local-repository="\$HOME\/\.m2\/repository"$/.test(s.exec ?? ''));
  expect(install).toBeGreaterThanOrEqual(0);
  expect(pacmak).toBeGreaterThan(install);
  for (const file of ['build', 'release']) {
    const runs = JSON.stringify(workflow(file));
    expect(runs).toContain('npx projen package:java');
  }
});

test('.ci/run installs from the same script and runs test:all', () => {
  const run = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf-8');
  expect(run).toMatch(new RegExp(`^bash ${INSTALL_SCRIPT.replace(/\./g, '\\.')}$`, 'm'));
  expect(run).toMatch(/^npm run test:all$/m);
});

test('test:all, the README\'s test command, installs the system packages first: on a machine with only Node.js and npm it brings the rest', () => {
  const [first] = (TASKS['test:all'].steps ?? []) as Array<{ exec?: string }>;
  expect(first.exec).toBe(`bash ${INSTALL_SCRIPT}`);
});

test('every task that runs Go runs it through build-tools/with-go.sh, which fetches a recent enough Go where it is missing', () => {
  const steps = (name: string) => ((TASKS[name].steps ?? []) as Array<{ exec?: string }>).map((s) => s.exec ?? '');
  expect(steps('test:go')).toEqual(['bash ../../build-tools/with-go.sh go test -count=1 ./...']);
  expect(steps('bindings:build').filter((e) => /--target go\b/.test(e))).toEqual([expect.stringMatching(/^bash build-tools\/with-go\.sh jsii-pacmak /)]);
  // the Go it fetches is at least what the Go test module asks for
  const script = fs.readFileSync(path.join(ROOT, 'build-tools', 'with-go.sh'), 'utf-8');
  const pinned = /^GO_VERSION=(\S+)$/m.exec(script)![1];
  const needed = /^go (\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'test', 'go', 'go.mod'), 'utf-8'))![1];
  const [p, n] = [pinned, needed].map((v) => v.split('.').map(Number));
  expect(p[0] * 1e6 + p[1] * 1e3 + (p[2] ?? 0)).toBeGreaterThanOrEqual(n[0] * 1e6 + n[1] * 1e3 + (n[2] ?? 0));
});

test('the install script lists the servers of the WordPress image test', () => {
  const script = fs.readFileSync(path.join(ROOT, INSTALL_SCRIPT), 'utf-8');
  const packages = /^SERVER_PACKAGES=\(([^)]*)\)$/m.exec(script)?.[1].split(/\s+/) ?? [];
  for (const p of ['nginx', 'php-fpm', 'php-mysql', 'mariadb-server', 'wordpress', 'wordpress-theme-twentytwentythree', 'gettext-base', 'busybox']) {
    expect(packages).toContain(p);
  }
});

describe('commit types', () => {
  const USED = ['feat', 'fix', 'chore', 'test', 'docs', 'refactor', 'perf', 'ci', 'build', 'revert', 'style'];

  test('pull request titles may use every commit type of the project', () => {
    const lint = workflow('pull-request-lint').jobs.validate.steps.find((s: any) => String(s.uses).startsWith('amannn/action-semantic-pull-request@'));
    expect(String(lint.with.types).split('\n').sort()).toEqual([...USED].sort());
  });

  test('the changelog groups features, fixes, performance, reverts and docs, and leaves the rest out', async () => {
    // what projen's bump task runs: commit-and-tag-version with the task's VERSIONRCOPTIONS
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CommitAndTagVersion } = require('projen/lib/release/commit-tag-version');
    const versionrc = JSON.parse((TASKS.bump as any).env.VERSIONRCOPTIONS ?? '{}');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-changelog-'));
    try {
      const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
      git('init', '-q', '-b', 'main');
      git('config', 'user.email', 'test@example.com');
      git('config', 'user.name', 'test');
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '0.0.0' }));
      for (const type of USED) {
        git('commit', '-q', '--allow-empty', '-m', `${type}: a ${type} change`);
      }
      await new CommitAndTagVersion(undefined, dir, {
        versionFile: 'package.json',
        changelogFile: 'changelog.md',
        configOptions: versionrc,
      }).invoke({ releaseAs: '0.1.0' });
      const changelog = fs.readFileSync(path.join(dir, 'changelog.md'), 'utf-8');
      const sections = [...changelog.matchAll(/^### (.+)\n\n((?:\* .*\n?)+)/gm)]
        .map(([, title, items]) => `${title}: ${items.trim().split('\n').map((i) => i.replace(/^\* /, '').replace(/ \(?[0-9a-f]{7}\)?$/, '')).join(', ')}`);
      expect(sections).toEqual([
        'Features: a feat change',
        'Bug Fixes: a fix change',
        'Performance: a perf change',
        'Reverts: a revert change',
        'Documentation: a docs change',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the release workflow publishes without long-lived registry tokens', () => {
  const jobs = workflow('release').jobs;
  const publishing = Object.keys(jobs).filter((name) => name.startsWith('release_'));
  const releaseStep = (job: string) => jobs[job].steps.find((s: any) => /publib-\w+'?$/.test(String(s.run)));

  test.each(publishing)('%s runs in the protected release environment', (job) => {
    expect(jobs[job].environment).toBe('release');
  });

  test.each([
    ['release_npm', 'NPM_TRUSTED_PUBLISHER', /NPM_TOKEN/],
    ['release_pypi', 'PYPI_TRUSTED_PUBLISHER', /TWINE_/],
    ['release_nuget', 'NUGET_TRUSTED_PUBLISHER', /NUGET_API_KEY/],
  ])('%s publishes with an OIDC token (trusted publishing), no token secret', (job, flag, tokenSecret) => {
    expect(jobs[job].permissions['id-token']).toBe('write');
    expect(releaseStep(job).env[flag]).toBe('true');
    expect(JSON.stringify(jobs[job])).not.toMatch(tokenSecret);
  });

  test('release_npm brings npm 11.5.1 or later, which trusted publishing needs, before publishing', () => {
    const steps: any[] = jobs.release_npm.steps;
    const update = steps.findIndex((s) => /npm install -g npm@\^11\.5\.1\b/.test(String(s.run)));
    expect(update).toBeGreaterThan(steps.findIndex((s) => String(s.uses).startsWith('actions/setup-node@')));
    expect(update).toBeLessThan(steps.indexOf(releaseStep('release_npm')));
  });
});

test("CONTRIBUTING.md's one-time release setup names what the release workflow publishes and where", () => {
  const contributing = fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf-8');
  const setup = contributing.slice(contributing.indexOf('### One-time setup'));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
  const targets = pkg.jsii.targets;
  const secrets = [...new Set(JSON.stringify(workflow('release').jobs).match(/secrets\.\w+/g))]
    .map((s) => s.replace('secrets.', ''))
    // GitHub's own token of every workflow run
    .filter((s) => s !== 'GITHUB_TOKEN');
  for (const name of [
    '`release.yml`', '`release`',
    `\`${pkg.name}\``,
    `\`${targets.python.distName}\``,
    `\`${targets.dotnet.packageId}\``,
    `\`${targets.java.maven.groupId}\``,
    `\`${targets.go.moduleName}\``,
    ...secrets.map((s) => `\`${s}\``),
  ]) {
    expect(setup).toContain(name);
  }
});
