#!/usr/bin/env node
// kafka-ts command-line entry point: runs the bundled CLI (with its V8 code cache, see
// src/cli/launch.ts) and exits with its status.
'use strict';
const dist = require('node:path').join(__dirname, '..', 'dist');
require(`${dist}/kafka-ts-launch.cjs`).launch(`${dist}/kafka-ts.cjs`);
