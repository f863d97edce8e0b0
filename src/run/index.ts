import { silentLogger } from '../log.js';
import { parseCommand, parseCommon, type CommonOptions, type RunInputs } from './options.js';
import type { RunReport } from './report.js';
import { sessionFactory, type SessionFactory } from './session.js';

export type { Command, RunInputs } from './options.js';
export type { Failure, RunReport } from './report.js';

/** A command: parses its own options (before any work), then runs them. */
interface CommandModule<O> {
  parseOptions(inputs: RunInputs, common: CommonOptions): O;
  run(options: O, session: SessionFactory): Promise<RunReport>;
}

// Command modules load on demand, so a command pays only for what it uses.
const COMMAND_MODULES = {
  sign: () => import('./commands/sign.js'),
  verify: () => import('./commands/verify.js'),
  'verify-base': () => import('./commands/verify-base.js'),
  copy: () => import('./commands/copy.js'),
};

/**
 * One run of the pipeline step, whatever the CI: adapters translate their
 * inputs into RunInputs, call `run`, and publish the report's outputs and
 * summary. Every decision is made in the command modules.
 */
export async function run(inputs: RunInputs): Promise<RunReport> {
  const logger = inputs.logger ?? silentLogger;
  const common = parseCommon(inputs, logger);
  const load: () => Promise<CommandModule<unknown>> = COMMAND_MODULES[parseCommand(inputs.command, common.name)];
  const command = await load();
  const options = command.parseOptions(inputs, common);
  return command.run(options, sessionFactory({ ...inputs.session, logger, inputName: common.name }));
}
