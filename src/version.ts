import { readFileSync } from 'node:fs';

// Replaced at bundle time by esbuild's `define`; from source (tsx) it is read from package.json,
// so the CLI, the action, the task and the .vsix all carry the one version package.json names.
declare const __NOTARY_SIGN_VERSION__: string | undefined;
export const VERSION: string =
  typeof __NOTARY_SIGN_VERSION__ === 'string'
    ? __NOTARY_SIGN_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
export const SIGNING_AGENT = `notary-sign/${VERSION}`;
