import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { failedAssertions } from '../build-tools/integ-deploy';
import { compare, integTests, snapshotDirOf, synthesizeAll } from '../build-tools/integ-snapshots';

/**
 * The integ tests' committed snapshots match what the code synthesizes today.
 * A change to a template fails here until `npx projen integ:update` rewrites the
 * snapshot and the diff is reviewed.
 */

test('there are integ tests to check', () => {
  expect(integTests()).toContain(path.join('integ', 'integ.ssm-decoupled-vpc.ts'));
});

/** Each integ test synthesized once (all at the same time), shared by the comparisons below. */
let assemblies = new Map<string, string>();
beforeAll(async () => {
  assemblies = await synthesizeAll(integTests());
});
afterAll(() => {
  for (const dir of assemblies.values()) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each(integTests())('%s matches its committed snapshot', (testFile) => {
  const differences = compare(snapshotDirOf(testFile), assemblies.get(testFile)!);
  if (differences.length > 0) {
    throw new Error(`${testFile} no longer matches its snapshot (run \`npx projen integ:update\` if intended, then review the diff):\n`
      + differences.map((d) => `  ${d}`).join('\n'));
  }
});

describe('the snapshot comparison', () => {
  const testFile = path.join('integ', 'integ.ssm-decoupled-vpc.ts');
  let tampered: string;

  beforeAll(() => {
    tampered = fs.mkdtempSync(path.join(os.tmpdir(), 'cfb-snapshot-'));
    fs.cpSync(snapshotDirOf(testFile), tampered, { recursive: true });
  });
  afterAll(() => {
    fs.rmSync(tampered, { recursive: true, force: true });
  });

  test('reports a changed property with its path and both values', () => {
    const file = path.join(tampered, 'SsmDecoupledVpcProducer.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
    const vpcId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::EC2::VPC')!;
    template.Resources[vpcId].Properties.CidrBlock = '10.99.0.0/16';
    fs.writeFileSync(file, JSON.stringify(template));

    expect(compare(tampered, assemblies.get(testFile)!)).toEqual([
      `SsmDecoupledVpcProducer.template.json: Resources.${vpcId}.Properties.CidrBlock: snapshot "10.99.0.0/16", now "10.0.0.0/16"`,
    ]);
  });

  test('reports a stack that is missing from the snapshot', () => {
    fs.rmSync(path.join(tampered, 'SsmDecoupledVpcConsumer.template.json'));
    expect(compare(tampered, assemblies.get(testFile)!)).toContain('SsmDecoupledVpcConsumer.template.json: synthesized, not in the snapshot');
  });

  test('reports a test without a snapshot', () => {
    expect(compare(path.join(tampered, 'nothing-here'), assemblies.get(testFile)!)).toEqual([expect.stringMatching(/^no snapshot at /)]);
  });
});

describe('the nightly deployment', () => {
  test('passes only when every assertion output reports success', () => {
    expect(failedAssertions({
      TestDeployAssert: {
        AssertionResultsAwsApiCallSSMgetParameterabc: '{"status":"success"}',
        SomeOtherOutput: 'not an assertion',
      },
    })).toEqual([]);
  });

  test('reports failed and unreadable assertion results with their stack and output', () => {
    expect(failedAssertions({
      TestDeployAssert: {
        AssertionResultsA: '{"status":"fail","message":"Expected 10.0.0.0/16 but received 10.1.0.0/16"}',
        AssertionResultsB: 'garbage',
      },
    })).toEqual([
      'TestDeployAssert.AssertionResultsA: Expected 10.0.0.0/16 but received 10.1.0.0/16',
      'TestDeployAssert.AssertionResultsB: unreadable result: garbage',
    ]);
  });
});
