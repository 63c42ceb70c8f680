#!/usr/bin/env node
// kafka-ts command-line entry point: runs the bundled CLI and exits with its status.
// Stack traces (--debug, KAFKA_TS_DEBUG) name the TypeScript sources: the source map is loaded
// only then, before the bundle, as Node maps only code loaded after it is enabled.
const debug = process.env.KAFKA_TS_DEBUG ? process.env.KAFKA_TS_DEBUG !== '0' : process.argv.includes('--debug');
if (debug) process.setSourceMapsEnabled(true);
require('../dist/kafka-ts.cjs')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
