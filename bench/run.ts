// Runs every benchmark in turn; each prints its own figures.
import { spawnSync } from 'node:child_process';

for (const script of ['bench/local-sign.ts', 'bench/sign.ts', 'bench/registry.ts', 'bench/cold-start.ts', 'bench/revocation.ts']) {
  const { existsSync } = await import('node:fs');
  if (!existsSync(script)) continue;
  console.log(`\n## ${script}\n`);
  spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' });
}
