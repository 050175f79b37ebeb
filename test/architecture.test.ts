import * as fs from 'fs';
import * as path from 'path';

/**
 * The shape of src/, as a newcomer reads it:
 * - `common/`: public props every construct shares (users import them); depends on nothing local;
 * - `private/`: internal helpers (validation, the VPC, the task, the load-balanced service,
 *   scaling, cdk-nag); depends on `common/` only, never exported from index.ts;
 * - one folder per construct, depending on `common/` and `private/`, never on another construct.
 * Together: no import cycle between folders.
 */

const SRC = path.join(__dirname, '..', 'src');

/** Every .ts file below src/, relative to it. */
function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(full);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path.relative(SRC, full)] : [];
  });
}

/** The folder of a file below src/ ('.' for index.ts). */
const folderOf = (file: string) => path.dirname(file);

/** The src/ folders a file imports from (relative imports only, `import type` included). */
function importedFolders(file: string): string[] {
  const text = fs.readFileSync(path.join(SRC, file), 'utf-8');
  const specifiers = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) => folderOf(path.relative(SRC, path.resolve(path.join(SRC, folderOf(file)), s))));
}

/** Folder -> the other folders it imports from. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles()) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    importedFolders(file).filter((to) => to !== from).forEach((to) => edges.add(to));
    graph.set(from, edges);
  }
  return graph;
}

/** Every cycle found by a depth-first search, as 'a -> b -> a'. */
function cycles(graph: Map<string, Set<string>>): string[] {
  const found: string[] = [];
  const visit = (node: string, trail: string[]) => {
    if (trail.includes(node)) {
      found.push([...trail.slice(trail.indexOf(node)), node].join(' -> '));
      return;
    }
    for (const next of graph.get(node) ?? []) {
      visit(next, [...trail, node]);
    }
  };
  [...graph.keys()].forEach((node) => visit(node, []));
  return found;
}

const graph = folderGraph();
const constructFolders = [...graph.keys()].filter((f) => !['.', 'common', 'private'].includes(f));

test('there is one folder per construct, plus common and private', () => {
  expect(constructFolders.sort()).toEqual(['load-balanced-scaling-service', 'scheduled-fargate-etl', 'ssm-decoupled-vpc', 'wordpress-fargate-site']);
  expect([...graph.keys()]).toEqual(expect.arrayContaining(['common', 'private']));
});

test('no two folders of src import each other, directly or through others', () => {
  expect(cycles(graph)).toEqual([]);
});

test('the public props in common depend on nothing else in src', () => {
  expect([...graph.get('common')!]).toEqual([]);
});

test('the private helpers depend on common only', () => {
  expect([...graph.get('private')!]).toEqual(['common']);
});

test.each(constructFolders)('%s uses common and private, and no other construct\'s folder', (folder) => {
  expect([...graph.get(folder)!].filter((to) => !['common', 'private'].includes(to))).toEqual([]);
});

test('index.ts exports the public props and the constructs, never a private helper', () => {
  const exported = [...fs.readFileSync(path.join(SRC, 'index.ts'), 'utf-8').matchAll(/from '\.\/([^/']+)\//g)].map((m) => m[1]);
  expect(exported).not.toContain('private');
  expect(new Set(exported)).toEqual(new Set(['common', ...constructFolders]));
});

test('the cycle finder sees a cycle where there is one', () => {
  const cyclic = new Map([['a', new Set(['b'])], ['b', new Set(['a'])], ['c', new Set(['a'])]]);
  expect(cycles(cyclic)).toContain('a -> b -> a');
  expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set<string>()]]))).toEqual([]);
});
