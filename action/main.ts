import * as core from '@actions/core';
import { describeError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import { readInputs } from './inputs.js';
import { resultLines } from '../src/run/report.js';
import { errorSummary } from '../src/run/summary.js';

/** The GitHub Action: inputs in, core run, outputs and job summary out. */
const logger: Logger = { info: (m) => core.info(m), warn: (m) => core.warning(m), debug: (m) => core.debug(m) };

// With step debug logging on, stacks name the TypeScript sources (the chunks loaded from here on are mapped).
if (process.env.RUNNER_DEBUG === '1') process.setSourceMapsEnabled(true);

async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
}

async function main(): Promise<void> {
  let grouped = false;
  // Known before the inputs are read, so a summary can name it whatever fails.
  const command = core.getInput('command').trim() || 'sign';
  try {
    const options = readInputs(process.env, logger);
    core.startGroup(`notary-sign ${options.command}`);
    grouped = true;
    const { run } = await import('../src/run/index.js');
    const report = await run(options);
    core.endGroup();
    grouped = false;
    for (const line of resultLines(report)) core.info(line);
    for (const [name, value] of Object.entries(report.outputs)) core.setOutput(name, value);
    await writeSummary(report.summary);
    if (!report.ok) core.setFailed(report.failure ?? 'verification failed');
  } catch (err) {
    if (grouped) core.endGroup();
    core.setFailed(describeError(err));
    if (err instanceof Error && err.stack) core.debug(err.stack);
    await writeSummary(errorSummary(command, describeError(err))).catch(() => undefined);
  }
}

await main();
