import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotarySignError } from '../errors.js';
import type { Certificate } from '../crypto/certificate.js';
import { parseCommon, type RunInputs } from './options.js';
import { sessionFactory } from './session.js';
import { loadTrust, parseTrustOptions } from './commands/verify.js';
import { silentLogger } from '../log.js';

/**
 * `policy show` and `policy init`: the trust a verify run would use, printed
 * as notation's trustpolicy.json, or written out as the files (policy and
 * trust store) that both `notation verify` and notary-sign read.
 */

/** The effective trust policy of a run, as notation's JSON, and what it trusts. */
export async function policyShow(inputs: RunInputs): Promise<{ policyJson: string; description: string }> {
  const common = parseCommon(inputs, inputs.logger ?? silentLogger);
  const options = parseTrustOptions(inputs, common);
  const session = sessionFactory({ ...inputs.session, logger: common.logger, inputName: common.name }).forRegistries([]);
  const trust = await loadTrust(options, session);
  return { policyJson: trust.policyJson, description: trust.description };
}

export interface PolicyInitOptions {
  outputDir: string;
  /** Propose the root and subject of this signed image's first signature. */
  from?: string;
}

/**
 * Write trustpolicy.json and truststore/ from inline trust inputs (or from a
 * signed image), validated by the same rules as any policy. Returns what was
 * written and what it trusts.
 */
export async function policyInit(inputs: RunInputs, init: PolicyInitOptions): Promise<{ written: string[]; description: string }> {
  const log = inputs.logger ?? silentLogger;
  const policyPath = join(init.outputDir, 'trustpolicy.json');
  const exists = await access(policyPath).then(
    () => true,
    () => false,
  );
  if (exists) throw new NotarySignError('INPUT', `${policyPath} already exists; remove it or choose another output directory`);
  let effective = inputs;
  if (init.from) {
    const proposal = await proposeFromImage(inputs, init.from);
    log.info(`from ${init.from}: trusting root "${proposal.root.subject}" and identity ${proposal.identity}`);
    effective = {
      ...inputs,
      trustedCertificates: [inputs.trustedCertificates ?? '', proposal.root.toPem()].filter(Boolean).join('\n'),
      trustedIdentities: inputs.trustedIdentities && inputs.trustedIdentities.length > 0 ? inputs.trustedIdentities : [proposal.identity],
    };
  }
  const common = parseCommon(effective, log);
  const options = parseTrustOptions(effective, common);
  if (options.trust.kind !== 'inline') {
    throw new NotarySignError('INPUT', 'policy init writes the files from inline trust inputs or --from; it does not copy existing files');
  }
  const session = sessionFactory({ ...effective.session, logger: log, inputName: common.name }).forRegistries([]);
  const trust = await loadTrust(options, session);
  const written = [policyPath];
  await mkdir(init.outputDir, { recursive: true });
  for (const store of trust.stores) {
    const dir = join(init.outputDir, 'truststore', 'x509', store.type, store.name);
    await mkdir(dir, { recursive: true });
    for (const cert of store.certificates) {
      const path = join(dir, `${cert.thumbprint.slice(0, 16)}.pem`);
      await writeFile(path, cert.toPem());
      written.push(path);
    }
  }
  await writeFile(policyPath, trust.policyJson);
  return { written, description: trust.description };
}

/** The root and the signing subject of an image's first Notary Project signature. */
async function proposeFromImage(inputs: RunInputs, image: string): Promise<{ root: Certificate; identity: string }> {
  const { parseReference } = await import('../oci/reference.js');
  const ref = parseReference(image);
  const session = sessionFactory({ ...inputs.session, ...(inputs.logger ? { logger: inputs.logger } : {}) }).forRegistries([ref.registry]);
  const { RegistryRepository } = await import('../registry/repository.js');
  const repository = new RegistryRepository(await session.registry());
  const descriptor = await repository.resolve(ref);
  const { descriptors } = await repository.listSignatures(ref, descriptor);
  if (descriptors.length === 0)
    throw new NotarySignError('NOT_FOUND', `--from: ${image} has no Notary Project signature to take the trust from`);
  const blob = await repository.fetchSignatureBlob(ref, descriptors[0]!.digest, descriptor);
  if (typeof blob === 'string') throw new NotarySignError('REGISTRY', `--from: ${blob}`);
  const { loadEnvelopeFormat, parseEnvelope } = await import('../envelope/envelope.js');
  await loadEnvelopeFormat(blob.mediaType);
  const chain = parseEnvelope(blob.mediaType, blob.bytes).certificateChain;
  const root = chain.at(-1)!;
  if (!root.isSelfSigned()) throw new NotarySignError('INPUT', `--from: the signature's chain does not end with a root certificate`);
  const { identityOf } = await import('../verify/inline-trust.js');
  return { root, identity: identityOf(chain[0]!, '--from') };
}
