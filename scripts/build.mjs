// Bundles the CLI and the GitHub Action into dist/ with esbuild: our code as one file per entry (dist/cli.js,
// dist/index.js), the heavy libraries in dist/vendor/, loaded only by the runs that use them.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
// Chunk names carry content hashes: start clean so stale chunks never linger in the committed dist/.
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'linked',
  // Readable stacks when asked for (--debug, RUNNER_DEBUG): mappings only, the sources stay in the repository.
  sourcemap: 'linked',
  sourcesContent: false,
  define: { __NOTARY_SIGN_VERSION__: JSON.stringify(version) },
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins. Made on first call: reading
  // import.meta in every file's top level costs a little per file a run loads.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);",
  },
  logLevel: 'warning',
  alias: {
    '@actions/http-client': './scripts/stubs/actions-http-client.mjs',
    '@actions/http-client/lib/auth': './scripts/stubs/actions-http-client.mjs',
  },
};

// The heavy libraries, each an entry our code reaches only through import(). One build with shared chunks, so
// pkijs, @peculiar/x509 and our own ASN.1 code share one asn1js (instanceof checks cross them).
const VENDOR = {
  '@azure/identity': 'azure-identity',
  '@azure/keyvault-keys': 'keyvault-keys',
  '@azure/keyvault-certificates': 'keyvault-certificates',
  '@azure/keyvault-secrets': 'keyvault-secrets',
  '@azure/core-rest-pipeline': 'core-rest-pipeline', // createHttpHeaders, for the vault challenge asked ahead
  pkijs: 'pkijs',
  asn1js: 'asn1js',
  'node-forge': 'node-forge',
  'cbor-x': 'cbor-x',
  'dockerfile-ast': 'dockerfile-ast',
  './src/crypto/x509.ts': 'x509', // @peculiar/x509 with the reflect-metadata it needs first
};
// CommonJS libraries give an ES module only a default export: these name what our code imports.
const NAMED = { 'dockerfile-ast': './scripts/vendor/dockerfile-ast.mjs' };
await build({
  ...common,
  entryPoints: Object.fromEntries(Object.entries(VENDOR).map(([pkg, name]) => [name, NAMED[pkg] ?? pkg])),
  outdir: 'dist/vendor',
  splitting: true,
  chunkNames: '[name]-[hash]',
  // The Azure pipeline (@typespec/ts-http-runtime formData.ts, client/sendRequest.ts) asks `typeof FormData` of
  // every request; in Node that global's first read loads the fetch implementation (undici), ~10 ms of CPU on the
  // sign-in's first request. No request of ours carries FormData: the check reads as false without the load.
  define: { ...common.define, FormData: 'undefined' },
});

// Our code: every module of a command in one file, so a run loads one file of ours (the ESM loader's cost is per
// file, ~0.7 ms each; code splitting made a sign load twenty). A vendor library becomes an import() of its file;
// a static import of one would load it at start-up for every run, so it fails the build.
const vendorOf = (path) => VENDOR[path] ?? (path.endsWith('/crypto/x509.js') ? 'x509' : undefined);
const vendorImports = {
  name: 'vendor-imports',
  setup(b) {
    b.onResolve({ filter: /^[@a-z.]/ }, (args) => {
      const name = vendorOf(args.path);
      if (!name || args.kind === 'entry-point') return undefined;
      if (args.kind !== 'dynamic-import')
        return { errors: [{ text: `${args.path} is a vendor library: load it with import() where it is used (${args.importer})` }] };
      return { path: `./vendor/${name}.js`, external: true };
    });
  },
};
await build({
  ...common,
  entryPoints: { index: 'action/main.ts', cli: 'cli/main.ts' },
  outdir: 'dist',
  plugins: [vendorImports],
});
