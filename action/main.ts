import * as core from '@actions/core';
import { describeError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import { readInputs } from './inputs.js';

/** The GitHub Action: inputs in, core run, outputs and job summary out. */
const logger: Logger = { info: (m) => core.info(m), warn: (m) => core.warning(m), debug: (m) => core.debug(m) };

async function main(): Promise<void> {
  let grouped = false;
  try {
    const options = readInputs(process.env, logger);
    core.startGroup(`notary-sign ${options.command}`);
    grouped = true;
    const { run } = await import('../src/run/index.js');
    const report = await run(options);
    core.endGroup();
    grouped = false;
    for (const [name, value] of Object.entries(report.outputs)) core.setOutput(name, value);
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(report.summary).write();
    if (!report.ok) core.setFailed(report.failure ?? 'verification failed');
  } catch (err) {
    if (grouped) core.endGroup();
    core.setFailed(describeError(err));
  }
}

await main();
