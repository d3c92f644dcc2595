#!/usr/bin/env node
// Entry point of `npx redial`: runs the TypeScript CLI through tsx's require hook (no build step).
require('tsx/cjs');
const { mainAsync } = require('./cli.ts');
mainAsync(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`redial: ${error && error.stack ? error.stack : error}`);
    process.exitCode = 1;
  },
);
