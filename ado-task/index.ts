import * as tl from 'azure-pipelines-task-lib/task.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import { run } from '../src/run/index.js';
import { readInputs } from './inputs.js';

/** The Azure DevOps task NotarySign@1: inputs in, core run, output variables and summary out. */
const logger: Logger = { info: (m) => console.log(m), warn: (m) => tl.warning(m), debug: (m) => tl.debug(m) };
const camel = (kebab: string) => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

async function main(): Promise<void> {
  try {
    const report = await run(readInputs(logger));
    for (const [name, value] of Object.entries(report.outputs)) tl.setVariable(camel(name), value, false, true);
    const dir = tl.getVariable('Agent.TempDirectory');
    if (dir) {
      const path = join(dir, `notary-sign-summary-${Date.now()}.md`);
      writeFileSync(path, report.summary);
      tl.uploadSummary(path);
    }
    if (report.ok) tl.setResult(tl.TaskResult.Succeeded, `notary-sign ${report.command} succeeded`);
    else tl.setResult(tl.TaskResult.Failed, report.failure ?? 'verification failed');
  } catch (err) {
    tl.setResult(tl.TaskResult.Failed, describeError(err));
  }
}

void main();
