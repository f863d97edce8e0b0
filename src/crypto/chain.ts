import type { KeyObject } from 'node:crypto';
import { NotarySignError } from '../errors.js';
import type { Certificate } from './certificate.js';
import { samePublicKey } from './key-spec.js';

/**
 * A certificate bundle (a Key Vault secret, PEM or PKCS#12) put in chain
 * order, leaf first, whatever order it holds them in: the one path from the
 * signing certificate through issuers (subject/issuer names and signatures)
 * to a self-signed root, using every certificate exactly once. Anything else
 * (an unrelated extra, two candidate leaves, a duplicate, a loop, a missing
 * issuer) is an error naming the certificate at fault, as Key Vault's own
 * notation plugin refuses such bundles (Azure/notation-azure-kv,
 * Notation.Plugin.AzureKeyVault/Certificate/CertificateChain.cs).
 */
export function orderChain(certs: Certificate[], { source, leafKey }: { source: string; leafKey?: KeyObject }): Certificate[] {
  const fail = (problem: string): never => {
    throw new NotarySignError('KEY', `${source}: ${problem}`);
  };
  if (certs.length === 0) fail('holds no certificate');
  const duplicate = certs.find((c, i) => certs.findIndex((o) => o.equals(c)) !== i);
  if (duplicate) fail(`holds certificate "${duplicate.subject}" twice`);
  const loop = nameLoop(certs);
  if (loop) fail(`its certificates name each other as issuer in a loop: ${loop.map((c) => `"${c.subject}"`).join(' → ')}`);
  const issuesAnother = (c: Certificate) => certs.some((o) => o !== c && o.isIssuedBy(c));
  // The signing certificate holds the key when we know it; otherwise it is the one that issued nothing.
  const holders = leafKey ? certs.filter((c) => samePublicKey(c.publicKey, leafKey)) : [];
  const leaves = holders.length > 0 ? holders : certs.filter((c) => !issuesAnother(c));
  if (leaves.length === 0) fail('its certificates issue each other in a loop; there is no signing certificate');
  if (leaves.length > 1)
    fail(`holds ${leaves.length} candidate signing certificates (${leaves.map((c) => `"${c.subject}"`).join(', ')}); keep one`);
  const chain = [leaves[0]!];
  for (let current = chain[0]!; !current.isSelfSigned();) {
    const issuers = certs.filter((c) => c !== current && current.isIssuedBy(c));
    const next = issuers.find((c) => !chain.includes(c));
    if (!next) {
      if (issuers.length > 0) fail(`its certificates issue each other in a loop at "${current.subject}"`);
      fail(`the issuer of "${current.subject}" is missing: add it, up to the root`);
    }
    chain.push(next!);
    current = next!;
  }
  const extra = certs.filter((c) => !chain.includes(c));
  if (extra.length > 0) fail(`holds certificates that are not part of the chain: ${extra.map((c) => `"${c.subject}"`).join(', ')}`);
  return chain;
}

/** A cycle in the issuer-name graph (each certificate pointing at the one whose subject is its issuer), if any. */
function nameLoop(certs: Certificate[]): Certificate[] | undefined {
  for (const start of certs) {
    const path: Certificate[] = [];
    for (let c: Certificate | undefined = start; c;) {
      const at = path.indexOf(c);
      if (at >= 0) return [...path.slice(at), c];
      path.push(c);
      const current: Certificate = c;
      c = certs.find((o) => o !== current && current.namesIssuer(o));
    }
  }
  return undefined;
}
