// Replaced at bundle time by esbuild's `define`; the fallback serves tsx runs.
declare const __NOTARY_SIGN_VERSION__: string | undefined;
export const VERSION: string = typeof __NOTARY_SIGN_VERSION__ === 'string' ? __NOTARY_SIGN_VERSION__ : '0.1.0';
export const SIGNING_AGENT = `notary-sign/${VERSION}`;
