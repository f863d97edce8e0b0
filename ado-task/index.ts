import * as tl from 'azure-pipelines-task-lib/task.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import { run } from '../src/run/index.js';
import { readInputs } from './inputs.js';
import { resultLines } from '../src/run/report.js';
import { errorSummary } from '../src/run/summary.js';

/** The Azure DevOps task NotarySign@1: inputs in, core run, output variables and summary out. */
const logger: Logger = { info: (m) => console.log(m), warn: (m) => tl.warning(m), debug: (m) => tl.debug(m) };
const camel = (kebab: string) => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function uploadSummary(markdown: string): void {
  const dir = tl.getVariable('Agent.TempDirectory');
  if (!dir) return;
  const path = join(dir, `notary-sign-summary-${Date.now()}.md`);
  writeFileSync(path, markdown);
  tl.uploadSummary(path);
}

async function main(): Promise<void> {
  // Known before the inputs are read, so a summary can name it whatever fails.
  const command = tl.getInput('command', false)?.trim() || 'sign';
  try {
    const inputs = readInputs(logger);
    const report = await run(inputs);
    for (const line of resultLines(report)) console.log(line);
    for (const [name, value] of Object.entries(report.outputs)) tl.setVariable(camel(name), value, false, true);
    uploadSummary(report.summary);
    if (report.ok) tl.setResult(tl.TaskResult.Succeeded, `notary-sign ${report.command} succeeded`);
    else tl.setResult(tl.TaskResult.Failed, report.failure ?? 'verification failed');
  } catch (err) {
    tl.setResult(tl.TaskResult.Failed, describeError(err));
    try {
      uploadSummary(errorSummary(command, describeError(err)));
    } catch {
      // The failure above is what counts; a summary that cannot be written changes nothing.
    }
  }
}

void main();
