#!/usr/bin/env node
// Entry point of `npx redial`. It runs bin/cli.ts compiled by esbuild into .cache/redial-cli/ (one
// module per verb, so a command loads only its own code): an operator runs dozens of commands, and compiling the
// TypeScript on every start took seconds. The bundle is rebuilt whenever a source file is newer than it; without
// esbuild (an install without dev dependencies) the CLI runs through tsx as before.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.join(__dirname, '..');
// Outside node_modules: a change there would make npm re-read the whole dependency tree on every `npx`.
const cacheDir = path.join(root, '.cache', 'redial-cli');
const entry = path.join(cacheDir, 'cli.mjs');
const SOURCES = ['bin', 'lambdas', 'sim'];

/** The newest modification time among the CLI's sources (and the lockfile: a dependency changed). */
function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, item.name);
      if (item.isDirectory()) visit(full);
      else if (/\.(ts|json)$/.test(item.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCES) visit(path.join(root, dir));
  for (const file of [path.join(root, 'package-lock.json'), path.join(__dirname, 'redial-cli.cjs')]) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  return newest;
}

function isFresh() {
  try {
    return fs.statSync(entry).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

/** Builds into a private folder, then swaps it in: two commands started at once never read a half-written bundle. */
function build(esbuild) {
  const staging = `${cacheDir}.${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  esbuild.buildSync({
    entryPoints: [path.join(root, 'bin', 'cli.ts')],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    outExtension: { '.js': '.mjs' },
    // CommonJS dependencies call require() for Node's built-ins: give the ES modules one.
    banner: { js: "import { createRequire as __redialRequire } from 'node:module'; const require = __redialRequire(import.meta.url);" },
    minify: true,
    // Needed only for a holiday year outside the generated table (lambdas/domain/holidays.ts): loaded from
    // node_modules then, never parsed at start.
    external: ['date-holidays'],
    logLevel: 'error',
  });
  fs.rmSync(cacheDir, { recursive: true, force: true });
  try {
    fs.renameSync(staging, cacheDir);
  } catch (error) {
    // Another command swapped its build in first: use that one.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(entry)) throw error;
  }
}

async function loadCli() {
  if (process.env.REDIAL_CLI_BUILD_ONLY === '1') {
    if (!isFresh()) build(require('esbuild'));
    return { mainAsync: async () => 0 };
  }
  if (process.env.REDIAL_CLI_NO_BUNDLE !== '1') {
    let esbuild = null;
    try {
      esbuild = require('esbuild');
    } catch {
      // Not installed: tsx below.
    }
    if (esbuild) {
      if (!isFresh()) build(esbuild);
      return import(pathToFileURL(entry).href);
    }
  }
  // tsx for both loaders: the CLI loads each verb's module with a dynamic import().
  require('tsx/cjs');
  (await import('tsx/esm/api')).register();
  return require('./cli.ts');
}

loadCli()
  .then(({ mainAsync }) => mainAsync(process.argv.slice(2)))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(`redial: ${error && error.stack ? error.stack : error}`);
      process.exitCode = 1;
    },
  );
