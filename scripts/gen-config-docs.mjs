#!/usr/bin/env node
// Writes docs/config/<surface>.md (producer, consumer, admin, broker, topic) from the
// configuration catalogues, the same ones `kafka-ts configs --list-configs` prints.
// Run after a build: node scripts/gen-config-docs.mjs [--check]
// (--check exits 1 and names the pages that are not current; test/cli/config-catalogue.test.ts checks it too.)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SURFACES, catalogueMarkdown } from '../dist/src/tools/config-listing.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'docs', 'config');
const check = process.argv.includes('--check');
const stale = [];
mkdirSync(dir, { recursive: true });
for (const surface of SURFACES) {
  const file = join(dir, `${surface}.md`);
  const text = catalogueMarkdown(surface);
  let current = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* not written yet */
  }
  if (current === text) continue;
  if (check) stale.push(file);
  else writeFileSync(file, text);
}
if (stale.length > 0) {
  process.stderr.write(`not current (run npm run gen:config-docs): ${stale.join(', ')}\n`);
  process.exit(1);
}
