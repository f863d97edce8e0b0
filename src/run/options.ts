import { NotarySignError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ReferrersMode } from '../registry/referrers.js';
import { parseReferrersMode } from './inputs.js';
import type { CiProvenance } from './provenance.js';
import type { SessionInputs } from './session.js';
import { inputNames, type InputNamer, type InputNames } from '../util/input-names.js';

/**
 * What an adapter hands the core: its CI's inputs, still text, under the
 * core's kebab-case names. Lists are already split by the adapter's rule for
 * that input (a string here is one multi-line input; an array is items as the
 * user gave them). `run` parses them once into a command's typed options.
 */
export interface RunInputs {
  command?: string;
  images?: readonly string[];
  session: SessionInputs;
  signatureFormat?: string;
  expiry?: string;
  annotations?: string | readonly string[];
  referrers?: string;
  requiredAnnotations?: string | readonly string[];
  dockerfile?: string;
  buildArgs?: string | readonly string[];
  platform?: string;
  trustPolicy?: string;
  trustStore?: string;
  /** Inline trust (instead of the files): PEM text of CA and TSA roots, identity lines, scopes, level. */
  trustedCertificates?: string;
  trustedTsaCertificates?: string;
  trustedIdentities?: string | readonly string[];
  registryScopes?: string | readonly string[];
  verificationLevel?: string;
  /** Key Vault certificate URLs whose roots (and, by default, subjects) are trusted. */
  trustedKeyVaultCertificates?: string | readonly string[];
  pinOutput?: string;
  /** `mirror[/*] = source[/*]` lines: where a mirrored image's signatures are looked up. */
  signatureSources?: string | readonly string[];
  /** copy: where to, and whether every referrer goes along (not only signatures). */
  destination?: string;
  allReferrers?: boolean | string;
  /** Revocation checking: per-request timeouts (durations) and where CRLs and OCSP responses are kept. */
  ocspTimeout?: string;
  crlTimeout?: string;
  revocationCache?: string;
  /** migrate-dct: the notary server, root key pins, whether moved tags are signed, and a dry run. */
  notaryServer?: string;
  dctRootKeys?: string | readonly string[];
  signMoved?: boolean | string;
  dryRun?: boolean | string;
  recursive?: boolean;
  timestampUrl?: string;
  timestampRootCert?: string;
  annotateCi?: boolean;
  ciProvenance?: CiProvenance;
  logger?: Logger;
  inputName?: InputNamer;
}

export type { InputNamer, InputNames } from '../util/input-names.js';

export const COMMANDS = ['sign', 'verify', 'verify-base', 'copy', 'migrate-dct'] as const;
export type Command = (typeof COMMANDS)[number];

/** `command`, case-insensitive, with the task's `verifyBase` spelling; default sign. */
export function parseCommand(value: string | undefined, name: InputNames): Command {
  const command = (value?.trim() || 'sign')
    .toLowerCase()
    .replace(/^verifybase$/, 'verify-base')
    .replace(/^migratedct$/, 'migrate-dct');
  if ((COMMANDS as readonly string[]).includes(command)) return command as Command;
  throw new NotarySignError('INPUT', `${name('command')}: "${value}" is not one of ${COMMANDS.join(', ')}`);
}

/** What every command gets, parsed. */
export interface CommonOptions {
  referrers: ReferrersMode;
  logger: Logger;
  name: InputNames;
}

export function parseCommon(inputs: RunInputs, logger: Logger): CommonOptions {
  const name = inputNames(inputs.inputName);
  return { referrers: parseReferrersMode(inputs.referrers, name('referrers')), logger, name };
}
