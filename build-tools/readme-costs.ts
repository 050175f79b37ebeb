/**
 * Rewrites the "What it costs" table of README.md from the cost model
 * (test/support/cost-model.ts): the same synthesized templates and price table the cost
 * tests assert, so the README cannot drift from them (test/cost.test.ts fails when it does).
 *
 *   npx projen readme:costs
 */
import * as fs from 'fs';
import * as path from 'path';
import { costTableMarkdown, withCostTable } from '../test/support/cost-model';

const readme = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(readme, withCostTable(fs.readFileSync(readme, 'utf-8'), costTableMarkdown()));
console.log('README.md: "What it costs" table rewritten');
