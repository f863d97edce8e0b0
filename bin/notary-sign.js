#!/usr/bin/env node
// The committed bundle: runs without a build step after `npm ci`.
await import('../dist/cli.js');
