// Bundles the CLI (and, as they land, the CI adapters) into dist/ with esbuild.
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
  // import.meta in every chunk's top level cost a few ms per run across the chunks a command loads.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; let __rq; const require = (id) => (__rq ??= __cr(import.meta.url))(id);",
  },
  logLevel: 'warning',
  alias: {
    '@actions/http-client': './scripts/stubs/actions-http-client.mjs',
    '@actions/http-client/lib/auth': './scripts/stubs/actions-http-client.mjs',
  },
};

// One build, shared chunks: the action (index) and the CLI load heavy modules (Azure SDK, x509) lazily.
await build({
  ...common,
  entryPoints: { index: 'action/main.ts', cli: 'cli/main.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
