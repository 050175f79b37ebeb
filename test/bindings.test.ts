import * as fs from 'fs';
import * as path from 'path';

/**
 * The Go bindings require the aws-cdk-go of the aws-cdk-lib they are built against (jsii-pacmak
 * writes the version of the development copy into the module's go.mod), not the peer floor:
 * the Go test module and the README must follow that version, or `go test` stops with
 * "updates to go.mod needed" at the next upgrade and Go users read a floor that is not theirs.
 */
const ROOT = path.join(__dirname, '..');
const devVersion: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')).devDependencies['aws-cdk-lib'];

test('the development copy of aws-cdk-lib is one exact version', () => {
  expect(devVersion).toMatch(/^\d+\.\d+\.\d+$/);
});

test('the Go test module requires the aws-cdk-go the bindings are built against', () => {
  const goMod = fs.readFileSync(path.join(ROOT, 'test', 'go', 'go.mod'), 'utf-8');
  expect(/github\.com\/aws\/aws-cdk-go\/awscdk\/v2 v(\S+)/.exec(goMod)?.[1]).toBe(devVersion);
});

test('the README gives Go users the aws-cdk-go their module asks for', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  expect(readme).toContain(`the \`aws-cdk-go\` it is built against, ${devVersion}`);
});
