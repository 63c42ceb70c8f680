#!/usr/bin/env node
// Writes man/kafka-ts.1 and man/kafka-ts-<command>.1 from the command definitions (the same
// commander commands --help prints) and their written descriptions and examples.
// Run after a build: node scripts/gen-man.mjs [--check]
import { readFileSync, writeFileSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../dist/src/cli/main.js';
import { COMMANDS } from '../dist/commands/index.js';
import { manPage, overviewPage } from '../dist/src/cli/docs.js';
import { VERSION } from '../dist/src/version.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manDir = join(root, 'man');
const DATE = manDate();
const check = process.argv.includes('--check');

/**
 * The month and year in each page's footer: from SOURCE_DATE_EPOCH when set (reproducible
 * builds), otherwise the release date in package.json's config.releaseDate, never the clock,
 * so that the same sources always give the same pages. Update releaseDate with the version.
 */
function manDate() {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const date = epoch ? new Date(Number(epoch) * 1000) : new Date(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).config.releaseDate);
  if (Number.isNaN(date.getTime())) throw new Error(`no valid man page date (SOURCE_DATE_EPOCH=${epoch ?? ''}, package.json config.releaseDate)`);
  return date.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

const program = buildProgram(() => undefined, COMMANDS);
const pages = new Map([['kafka-ts.1', overviewPage(program, VERSION, DATE)]]);
for (const spec of COMMANDS) {
  const cmd = program.commands.find((c) => c.name() === spec.name);
  pages.set(`kafka-ts-${spec.name}.1`, manPage({ spec, cmd, version: VERSION, date: DATE }));
}
mkdirSync(manDir, { recursive: true });
let stale = [];
for (const [file, text] of pages) {
  const path = join(manDir, file);
  let old = null;
  try {
    old = readFileSync(path, 'utf8');
  } catch {}
  if (old !== text) {
    stale.push(file);
    if (!check) writeFileSync(path, text);
  }
}
for (const f of readdirSync(manDir)) {
  if (f.endsWith('.1') && !pages.has(f)) {
    stale.push(f);
    if (!check) unlinkSync(join(manDir, f));
  }
}
if (check && stale.length) {
  console.error(`man pages out of date: ${stale.join(', ')} (run npm run gen:man)`);
  process.exit(1);
}
console.log(check ? 'man pages are up to date' : `wrote ${pages.size} man pages${stale.length ? ` (${stale.length} changed)` : ''}`);
