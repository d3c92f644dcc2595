#!/usr/bin/env node
// Entry point of `npx redial`: runs the TypeScript CLI through tsx's require hook (no build step).
require('tsx/cjs');
const { main } = require('./cli.ts');
process.exitCode = main(process.argv.slice(2));
