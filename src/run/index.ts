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
  'migrate-dct': () => import('./commands/migrate-dct.js'),
};

/**
 * One run of the pipeline step, whatever the CI: adapters translate their
 * inputs into RunInputs, call `run`, and publish the report's outputs and
 * summary. Every decision is made in the command modules.
 */
export async function run(inputs: RunInputs): Promise<RunReport> {
  const logger = inputs.logger ?? silentLogger;
  const common = parseCommon(inputs, logger);
  const name = parseCommand(inputs.command, common.name);
  const load: () => Promise<CommandModule<unknown>> = COMMAND_MODULES[name];
  const command = await load();
  // OCI layouts (oci:<dir>…) are served as registries for the run; the report names them as the user did.
  const layouts = await serveLayouts(inputs, { copyDestination: name === 'copy', name: common.name });
  try {
    const served = layouts ? layouts.inputs : inputs;
    const options = command.parseOptions(served, common);
    const report = await command.run(options, sessionFactory({ ...served.session, logger, inputName: common.name }));
    return layouts ? layouts.restore(report) : report;
  } finally {
    await layouts?.stop();
  }
}

async function serveLayouts(inputs: RunInputs, { copyDestination, name }: { copyDestination: boolean; name: CommonOptions['name'] }) {
  const images = inputs.images ?? [];
  const destination = inputs.destination;
  if (!images.some((i) => i.startsWith('oci:')) && !destination?.startsWith('oci:')) return undefined;
  const { parseLayoutReference, serveLayout } = await import('../oci/layout.js');
  const servers = new Map<string, Awaited<ReturnType<typeof serveLayout>>>();
  const rename: [string, string][] = [];
  const map = async (text: string, create: boolean, input: string) => {
    const ref = parseLayoutReference(text);
    if (!ref) return text;
    let server = servers.get(ref.dir);
    if (!server) {
      server = await serveLayout(ref.dir, { create, input: name(input) });
      servers.set(ref.dir, server);
      rename.push([`${server.host}/layout`, `oci:${ref.dir}`]);
    }
    return server.reference(ref);
  };
  try {
    const mappedImages = await Promise.all(images.map((i) => map(i, false, 'image')));
    const mappedDestination = destination ? await map(destination, copyDestination, 'destination') : undefined;
    const hostCredentials = Object.fromEntries([...servers.values()].map((s) => [s.host, s.credentials]));
    return {
      inputs: {
        ...inputs,
        images: mappedImages,
        ...(mappedDestination ? { destination: mappedDestination } : {}),
        session: { ...inputs.session, hostCredentials: { ...inputs.session.hostCredentials, ...hostCredentials } },
      },
      restore: (report: RunReport): RunReport => {
        let text = JSON.stringify(report);
        for (const [from, to] of rename) text = text.split(from).join(to);
        return JSON.parse(text) as RunReport;
      },
      stop: () => Promise.all([...servers.values()].map((s) => s.stop())).then(() => undefined),
    };
  } catch (err) {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    throw err;
  }
}
