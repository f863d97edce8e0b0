#!/usr/bin/env node
// The committed bundle: runs without a build step after `npm ci`.
const { runAsProgram } = await import('../dist/cli.js');
await runAsProgram(process.argv.slice(2));
