#!/usr/bin/env node
// kafka-ts command-line entry point: runs the bundled CLI and exits with its status.
require('../dist/kafka-ts.cjs')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
