/**
 * Prints the stacks of a synthesized cloud assembly: name, template file and
 * resource count. Used by `npm run sample` after `cdk synth`.
 *
 *   tsx build-tools/list-stacks.ts sample/cdk.out
 */
import * as fs from 'fs';
import * as path from 'path';

const dir = process.argv[2] ?? 'cdk.out';
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
const stacks = Object.entries<any>(manifest.artifacts ?? {})
  .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');

console.log(`\n${stacks.length} stacks written to ${dir}:`);
for (const [id, artifact] of stacks) {
  const templateFile = artifact.properties.templateFile;
  const template = JSON.parse(fs.readFileSync(path.join(dir, templateFile), 'utf-8'));
  const resources = Object.keys(template.Resources ?? {}).length;
  console.log(`  ${id.padEnd(28)} ${path.join(dir, templateFile).padEnd(48)} ${String(resources).padStart(4)} resources`);
}
