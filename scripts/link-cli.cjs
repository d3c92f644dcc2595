#!/usr/bin/env node
// `npm ci` / `npm install` (the prepare script): links node_modules/.bin/redial to the CLI and builds its bundle.
// The package declares no "bin" on purpose: for a bin of the project itself, `npx` installs the project into its own
// cache on every call (about a second); a link in node_modules/.bin is run straight away.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const binDir = path.join(root, 'node_modules', '.bin');
const link = path.join(binDir, 'redial');
fs.mkdirSync(binDir, { recursive: true });
fs.rmSync(link, { force: true });
fs.symlinkSync(path.relative(binDir, path.join(root, 'bin', 'redial-cli.cjs')), link);
// The first command would build the bundle anyway; building it here keeps that first command fast too.
const built = spawnSync(process.execPath, [path.join(root, 'bin', 'redial-cli.cjs')], { env: { ...process.env, REDIAL_CLI_BUILD_ONLY: '1' }, stdio: 'inherit' });
process.exitCode = built.status ?? 1;
