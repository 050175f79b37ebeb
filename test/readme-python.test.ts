import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * build-tools/check-readme-python.py, which checks the README's Python examples
 * against the generated bindings in `npm run test:all`, catches what it promises to.
 */

const CHECKER = path.join(__dirname, '..', 'build-tools', 'check-readme-python.py');

/** Runs the checker on a README with one python block, against a tiny generated module. */
function check(python: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-readme-'));
  const moduleDir = path.join(dir, 'bindings', 'src', 'cdk_fargate_blueprints');
  fs.mkdirSync(moduleDir, { recursive: true });
  fs.writeFileSync(path.join(moduleDir, '__init__.py'), [
    'class SsmDecoupledVpc:',
    '    def __init__(self, scope, id, *, parameter_prefix, max_azs=None):',
    '        pass',
    '    @staticmethod',
    '    def from_parameters(scope, id, *, parameter_prefix, availability_zone_count=None):',
    '        pass',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'README.md'), `# x\n\n\`\`\`python\n${python}\n\`\`\`\n`);
  const result = spawnSync('python3', [CHECKER, path.join(dir, 'README.md'), path.join(dir, 'bindings')], { encoding: 'utf-8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: result.status, output: result.stdout + result.stderr };
}

test('accepts an example that matches the bindings', () => {
  const result = check([
    'from cdk_fargate_blueprints import SsmDecoupledVpc',
    'SsmDecoupledVpc(stack, "Network", parameter_prefix="/p", max_azs=2)',
    'SsmDecoupledVpc.from_parameters(stack, "Vpc", parameter_prefix="/p")',
  ].join('\n'));
  expect(result).toEqual({ status: 0, output: '1 python examples checked against the generated bindings, 0 problems\n' });
});

test('rejects a keyword argument the bindings do not have', () => {
  const result = check('from cdk_fargate_blueprints import SsmDecoupledVpc\nSsmDecoupledVpc(stack, "Network", parameterPrefix="/p")');
  expect(result.status).toBe(1);
  expect(result.output).toContain('README.md:5: SsmDecoupledVpc.__init__ has no argument parameterPrefix');
});

test('rejects a name the module does not export, and an unknown static method', () => {
  const result = check('from cdk_fargate_blueprints import SsmDecoupledVpc, WordpressSite\nSsmDecoupledVpc.from_ssm(stack, "Vpc")');
  expect(result.status).toBe(1);
  expect(result.output).toContain('cdk_fargate_blueprints has no WordpressSite');
  expect(result.output).toContain('SsmDecoupledVpc has no method from_ssm');
});

test('rejects Python that does not parse', () => {
  const result = check('from cdk_fargate_blueprints import SsmDecoupledVpc\nSsmDecoupledVpc(stack, "Network",');
  expect(result.status).toBe(1);
  expect(result.output).toMatch(/syntax error/);
});
