// Bundles the Azure DevOps task into out/ado-task/ (task.json + dist/index.js +
// the task library's resource files) and, with --package, creates the .vsix.
// Not committed: CI builds and packages it on every run.
import { build } from 'esbuild';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';

const { version } = JSON.parse(await readFile('package.json', 'utf8'));
const out = 'out/ado-task';
await rm(out, { recursive: true, force: true });
await mkdir(`${out}/dist`, { recursive: true });
await build({
  entryPoints: ['ado-task/index.ts'],
  outfile: `${out}/dist/index.js`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'linked',
  // FormData: as in build.mjs (the Azure pipeline's FormData check would load Node's fetch implementation).
  define: { __NOTARY_SIGN_VERSION__: JSON.stringify(version), FormData: 'undefined' },
  logLevel: 'warning',
  // src/version.ts reads package.json through import.meta only when the define above is absent (tsx runs).
  logOverride: { 'empty-import-meta': 'silent' },
});
// The task library loads its strings relative to its own module file: ship them beside the bundle.
await cp('node_modules/azure-pipelines-task-lib/lib.json', `${out}/dist/lib.json`);
await cp('node_modules/azure-pipelines-task-lib/Strings', `${out}/dist/Strings`, { recursive: true });
// One version everywhere: the task and the extension take package.json's; the task's major is the `@1` users write.
const [major, minor, patch] = version.split(/[.+-]/).map(Number);
const task = JSON.parse(await readFile('ado-task/task.json', 'utf8'));
if (task.version.Major !== major)
  throw new Error(`package.json version ${version} has major ${major}; task.json (NotarySign@${task.version.Major}) needs the same`);
task.version = { Major: major, Minor: minor, Patch: patch };
await writeFile(`${out}/task.json`, `${JSON.stringify(task, null, 2)}\n`);
await writeFile(`${out}/dist/package.json`, JSON.stringify({ type: 'commonjs' }));

if (process.argv.includes('--package')) {
  execFileSync(
    process.execPath,
    [
      'node_modules/tfx-cli/_build/tfx-cli.js',
      'extension',
      'create',
      '--manifest-globs',
      'vss-extension.json',
      '--output-path',
      'out/',
      '--no-prompt',
      '--override',
      JSON.stringify({ version }),
    ],
    { stdio: 'inherit' },
  );
}
