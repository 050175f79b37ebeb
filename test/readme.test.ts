import * as fs from 'fs';
import * as path from 'path';

/**
 * The README is the package's page on Construct Hub and the registries: it leads with
 * what a user needs (install per language, a first stack per construct), then the
 * contributors' two commands; the development notes live in CONTRIBUTING.md.
 * (`rosetta:check` compiles its TypeScript examples; `test:python` synthesizes its Python ones against their TypeScript twins.)
 */

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
const CONSTRUCTS = ['SsmDecoupledVpc', 'LoadBalancedScalingService', 'ScheduledFargateEtl', 'WordpressFargateSite'];

/** The text of the `## title` section, up to the next `## ` heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) {
    throw new Error(`README.md has no section "## ${title}"`);
  }
  const next = README.indexOf('\n## ', start + 1);
  return README.slice(start, next < 0 ? undefined : next);
}

const headings = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]);

test('the quick start comes first, then install and a first stack, before the construct sections', () => {
  const lead = ['Quick start', 'Install', 'A first stack with each construct'];
  const firstConstruct = Math.min(...CONSTRUCTS.map((c) => headings.indexOf(c)).filter((i) => i >= 0));
  expect(headings[0]).toBe('Quick start');
  expect(headings.slice(0, firstConstruct).filter((h) => lead.includes(h))).toEqual(lead);
  expect(CONSTRUCTS.every((c) => headings.includes(c))).toBe(true);
  expect(headings.indexOf('Install')).toBeLessThanOrEqual(2);
});

test('the install section names the package of every language and the peer floor of aws-cdk-lib', () => {
  const install = section('Install');
  const targets = PKG.jsii.targets;
  for (const name of [
    `npm install ${PKG.name}`,
    `pip install ${targets.python.distName}`,
    `dotnet add package ${targets.dotnet.packageId}`,
    `<groupId>${targets.java.maven.groupId}</groupId>`,
    `<artifactId>${targets.java.maven.artifactId}</artifactId>`,
    `go get ${targets.go.moduleName}/`,
  ]) {
    expect(install).toContain(name);
  }
  const floor = PKG.peerDependencies['aws-cdk-lib'].replace(/^[^0-9]*/, '');
  expect(install).toContain(`\`aws-cdk-lib\` ${floor} or later`);
});

test.each(CONSTRUCTS)('the first stacks build a %s in TypeScript', (construct) => {
  const blocks = [...section('A first stack with each construct').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  expect(blocks.filter((b) => b.includes(`new ${construct}(`) && b.includes(`from '${PKG.name}'`))).toHaveLength(1);
});

test('the quick start is the two commands, and both run scripts that exist', () => {
  const commands = [...section('Quick start').matchAll(/^(npm ci && npm run [\w:]+)/gm)].map((m) => m[1]);
  expect(commands).toEqual(['npm ci && npm run sample', 'npm ci && npm run test:all']);
  expect(PKG.scripts).toHaveProperty('sample');
  expect(PKG.scripts).toHaveProperty(['test:all']);
});

test('development and integ notes live in CONTRIBUTING.md, which the README links', () => {
  const contributing = fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf-8');
  for (const moved of ['Development', 'Integration tests against a real account']) {
    expect(headings).not.toContain(moved);
    expect(contributing).toContain(`\n## ${moved}\n`);
  }
  expect(README).toContain('(./CONTRIBUTING.md)');
});
