import { NotarySignError } from '../../errors.js';
import type { DigestSigner, RepositoryMigration, TagOutcome } from '../../migrate/dct.js';
import { parseBoolean, parseList } from '../inputs.js';
import type { CommonOptions, RunInputs } from '../options.js';
import { failed, type Failure, type RunReport } from '../report.js';
import type { SessionFactory } from '../session.js';
import { migrateSummary } from '../summary.js';
import { parseOptions as parseSignOptions, signingContext, type SignCommandOptions } from './sign.js';

/** `migrate-dct`: Docker Content Trust signed tags carried over to Notary Project signatures. */
export interface MigrateDctCommandOptions extends CommonOptions {
  repositories: readonly string[];
  notaryServer?: string;
  pins: readonly string[];
  signMoved: boolean;
  dryRun: boolean;
  /** How each digest is signed: format, expiry, timestamp, user annotations, as for `sign`. */
  signing: SignCommandOptions;
}

export function parseOptions(inputs: RunInputs, common: CommonOptions): MigrateDctCommandOptions {
  const { name } = common;
  const repositories = inputs.images ?? [];
  if (repositories.length === 0)
    throw new NotarySignError('INPUT', `${name('image')}: give the repositories to migrate (GUNs), e.g. myacr.azurecr.io/app`);
  const flag = (value: boolean | string | undefined, input: string) =>
    typeof value === 'boolean' ? value : parseBoolean(value, name(input));
  const notaryServer = inputs.notaryServer?.trim() ? notaryServerUrl(inputs.notaryServer.trim(), inputs, common) : undefined;
  return {
    ...common,
    repositories,
    ...(notaryServer ? { notaryServer } : {}),
    pins: parseList(inputs.dctRootKeys),
    signMoved: flag(inputs.signMoved, 'sign-moved'),
    dryRun: flag(inputs.dryRun, 'dry-run'),
    signing: parseSignOptions(inputs, common),
  };
}

function notaryServerUrl(text: string, inputs: RunInputs, { name }: CommonOptions): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new NotarySignError('INPUT', `${name('notary-server')}: "${text}" is not a URL; give e.g. https://notary.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new NotarySignError('INPUT', `${name('notary-server')}: "${text}" is not an http(s) URL`);
  if (url.pathname !== '/' || url.search)
    throw new NotarySignError('INPUT', `${name('notary-server')}: give the server's origin only (${url.origin}), not a path`);
  // Plain HTTP only where the user allowed it for a registry: registry credentials may be sent there.
  if (url.protocol === 'http:' && !inputs.session.insecureRegistries?.includes(url.host))
    throw new NotarySignError(
      'INPUT',
      `${name('notary-server')}: ${url.origin} is plain HTTP; list ${url.host} in ${name('insecure-registries')} to allow it, or use https`,
    );
  return url.origin;
}

export async function run(options: MigrateDctCommandOptions, session: SessionFactory): Promise<RunReport> {
  const { parseReference } = await import('../../oci/reference.js');
  const registries = options.repositories.map((r) => parseReference(r).registry);
  const s = session.forRegistries(registries);
  const notaryHost = options.notaryServer ? new URL(options.notaryServer).host : undefined;
  // A separate notary server gets the registry's credentials (one registry per run when it is separate).
  const sameCredentials = notaryHost && !registries.includes(notaryHost) ? { [notaryHost]: registries[0]! } : {};
  // One client for the trust data, the comparison and the signatures: one sign-in, one token per scope.
  const registry = await s.registry({ sameCredentials });
  let sign: DigestSigner | undefined;
  if (!options.dryRun) {
    // The signer first: a sign-in problem is reported before any trust data is read.
    const context = await signingContext({ ...options.signing, recursive: false }, s);
    await context.signer;
    const { signEach } = await import('../../sign/sign.js');
    sign = async (reference, annotations) => {
      const { signed, failed: notSigned } = await signEach({
        ...context,
        registry,
        images: [reference],
        annotations: { ...context.annotations, ...annotations },
        logger: options.logger,
      });
      if (notSigned[0]) throw notSigned[0].error;
      return { signatureDigest: signed[0]!.signatureDigest, reused: signed[0]!.storage === 'existing' };
    };
  }
  const { migrateDct } = await import('../../migrate/dct.js');
  const repositories = await migrateDct({
    repositories: options.repositories,
    registry,
    ...(options.notaryServer ? { notaryServer: options.notaryServer } : {}),
    pins: options.pins,
    ...(sign ? { sign } : {}),
    signMoved: options.signMoved,
    logger: options.logger,
  });
  return migrationReport(repositories, options.dryRun);
}

const OUTCOMES: TagOutcome[] = ['migrated', 'already-migrated', 'would-migrate', 'moved', 'missing', 'failed'];

function migrationReport(repositories: RepositoryMigration[], dryRun: boolean): RunReport {
  const tags = repositories.flatMap((r) => r.tags.map((t) => ({ gun: r.gun, ...t })));
  const count = (outcome: TagOutcome) => tags.filter((t) => t.outcome === outcome).length;
  const unverifiable = repositories.filter((r) => !r.verified);
  const failures: Failure[] = [
    ...repositories
      .filter((r) => r.reason)
      .map((r) => ({ subject: r.gun, reason: r.verified ? r.reason! : `trust data not verified: ${r.reason}` })),
    ...tags.filter((t) => t.outcome === 'failed').map((t) => ({ subject: `${t.gun}:${t.tag}`, reason: t.reason ?? 'failed' })),
  ];
  const outputs: Record<string, string> = Object.fromEntries(OUTCOMES.map((o) => [o, String(count(o))]));
  outputs.unverifiable = String(unverifiable.length);
  outputs['signature-digests'] = JSON.stringify([...new Set(tags.flatMap((t) => (t.signatureDigest ? [t.signatureDigest] : [])))]);
  return {
    command: 'migrate-dct',
    ok: failures.length === 0,
    ...failed(`${failures.length} repositor${failures.length === 1 ? 'y or tag' : 'ies or tags'} not migrated`, failures),
    migrated: { dryRun, repositories },
    outputs,
    summary: migrateSummary(repositories, dryRun),
  };
}
