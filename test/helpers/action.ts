import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runNode, type RunResult } from './run.js';

export interface ActionRun extends RunResult {
  outputs: Record<string, string>;
  summary: string;
  /** stdout without the ::add-mask:: commands, which the runner consumes and never shows. */
  visible: string;
}

/** Run dist/index.js the way the GitHub runner does: INPUT_* variables and the file commands. */
export async function runAction(dir: string, inputs: Record<string, string>, env: NodeJS.ProcessEnv): Promise<ActionRun> {
  const id = Math.random().toString(36).slice(2);
  const outputPath = join(dir, `output-${id}`);
  const summaryPath = join(dir, `summary-${id}`);
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));
  const r = await runNode('dist/index.js', [], {
    env: {
      ...env,
      ...inputEnv,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      RUNNER_TEMP: dir,
      GITHUB_WORKSPACE: dir,
    },
    timeoutMs: 120_000,
  });
  return {
    ...r,
    outputs: parseOutputs(await readFile(outputPath, 'utf8')),
    summary: await readFile(summaryPath, 'utf8'),
    visible: r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
  };
}

/** The GITHUB_OUTPUT heredoc format: name<<DELIM / value / DELIM. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}
