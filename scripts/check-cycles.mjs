#!/usr/bin/env node
// Finds import cycles among the TypeScript sources (src/, commands/), with TypeScript's own
// parser: static imports and re-exports, dynamic import()s, and type-only imports too. ESLint's
// import-x/no-cycle skips type-only imports, but a cycle of types still ties two layers
// together; this check (run by `npm run lint`) keeps those out as well, and cross-checks the
// ESLint rule. Prints each cycle and exits 1 if there is one.
// Usage: node scripts/check-cycles.mjs [--values-only]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const valuesOnly = process.argv.includes('--values-only');

const sources = ['src', 'commands'].flatMap((dir) =>
  readdirSync(join(root, dir), { recursive: true })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(root, dir, f)),
);

/** The source file a relative specifier names (`./x.js` is written for `./x.ts`), or undefined. */
function resolveSpecifier(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((f) => existsSync(f));
}

/** Edges from one file: [target, kind] with kind 'value', 'dynamic' or 'type'. */
function importsOf(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const edges = [];
  const add = (spec, kind) => {
    const target = resolveSpecifier(file, spec);
    if (target) edges.push([target, kind]);
  };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, isTypeOnly(node) ? 'type' : 'value');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0] ?? {})) {
      add(node.arguments[0].text, 'dynamic');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

function isTypeOnly(node) {
  if (ts.isExportDeclaration(node)) {
    return node.isTypeOnly || (node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
  }
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

const graph = new Map(sources.map((f) => [f, importsOf(f).filter(([, kind]) => !valuesOnly || kind !== 'type')]));

// Tarjan's strongly connected components: every component of more than one file (or a file
// importing itself) is a cycle.
let index = 0;
const stack = [];
const info = new Map();
const components = [];
function connect(v) {
  info.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const [w] of graph.get(v) ?? []) {
    if (!info.has(w)) {
      connect(w);
      info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
    } else if (info.get(w).onStack) {
      info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
  }
  if (info.get(v).low === info.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      info.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).some(([t]) => t === v)) components.push(component);
  }
}
for (const f of graph.keys()) if (!info.has(f)) connect(f);

const rel = (f) => relative(root, f);
for (const component of components) {
  const members = new Set(component);
  console.error(`import cycle among ${component.length} files:`);
  for (const f of component.sort()) {
    for (const [t, kind] of graph.get(f)) if (members.has(t)) console.error(`  ${rel(f)} -> ${rel(t)}${kind === 'value' ? '' : ` (${kind})`}`);
  }
}
if (components.length) process.exit(1);
console.log(`no import cycles among ${sources.length} files${valuesOnly ? ' (type-only imports ignored)' : ''}`);
