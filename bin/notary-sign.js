#!/usr/bin/env node
// The committed bundle: runs without a build step after `npm ci`.
// Stacks, when asked for, name the TypeScript sources (dist/ ships source maps; enabled before the bundle loads).
const env = process.env;
if (process.argv.includes('--debug') || env.RUNNER_DEBUG === '1' || /^true$/i.test(env.SYSTEM_DEBUG ?? '') || env.NOTARY_SIGN_DEBUG)
  process.setSourceMapsEnabled(true);
const { runAsProgram } = await import('../dist/cli.js');
await runAsProgram(process.argv.slice(2));
