import { NotarySignError } from '../errors.js';
import { parseCertificates, type Certificate } from '../crypto/certificate.js';
import type { InputNames } from '../util/input-names.js';
import { certificateSubjectDN } from './dn.js';
import { parseTrustPolicy, type TrustPolicyDocument } from './trust-policy.js';
import { MemoryTrustStore, storeCertificateProblem } from './trust-store.js';

/**
 * Trust set up without files: anchors given inline (PEM) or read from Key
 * Vault certificates, identities and scopes as input lines. They make one
 * trust policy statement in notation's format, validated by exactly the rules
 * a trustpolicy.json file is, with the trust stores it names held in memory;
 * `policy init` writes the same statement and stores to disk.
 */
export const INLINE_STORE = 'notary-sign';
export const INLINE_TSA_STORE = 'notary-sign-tsa';

export interface InlineTrust {
  /** PEM text of the CA (or self-signed signing) certificates to trust. */
  certificates: Certificate[];
  tsaCertificates: Certificate[];
  /** notation syntax: `x509.subject: C=…, ST=…, O=…` or `*`; empty = derive from Key Vault certificates. */
  identities: string[];
  registryScopes: string[];
  verificationLevel: string;
}

export interface ResolvedTrust {
  trustPolicy: TrustPolicyDocument;
  trustStore: MemoryTrustStore;
  /** The policy as JSON, as `policy init` writes it and `policy show` prints it. */
  policyJson: string;
  /** One line for logs and summaries: which anchors and identities this run trusts. */
  description: string;
  /** The stores the policy names, with their certificates (what `policy init` writes). */
  stores: { type: 'ca' | 'tsa'; name: string; certificates: Certificate[] }[];
}

/** PEM text of an input as certificates fit for the store type, or one line naming the input and the problem. */
export function inlineCertificates(text: string, input: string, type: 'ca' | 'tsa'): Certificate[] {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new NotarySignError(
      'INPUT',
      `${input} holds a private key; give the CA certificates (PEM "CERTIFICATE" blocks) to trust instead`,
    );
  }
  const certs = parseCertificates(text, input);
  for (const cert of certs) {
    const problem = storeCertificateProblem(cert, type);
    if (problem) throw new NotarySignError('INPUT', `${input}: ${problem}`);
  }
  return certs;
}

/** The identity that trusts exactly this signing certificate's subject, in notation's syntax. */
export function identityOf(leaf: Certificate, input: string): string {
  const dn = certificateSubjectDN(leaf);
  if (typeof dn === 'string') {
    throw new NotarySignError(
      'INPUT',
      `${input}: the subject "${leaf.subject}" cannot be an x509.subject identity (${dn}); give trusted identities`,
    );
  }
  // RFC 4514 escapes, as go-ldap encodes values (dn.go encodeString).
  const escape = (v: string) =>
    v
      .replace(/[\\",+;<>=]/g, (c) => `\\${c}`)
      .replace(/^([ #])/, '\\$1')
      .replace(/ $/, '\\ ');
  return `x509.subject: ${[...dn].map(([k, v]) => `${k}=${escape(v)}`).join(', ')}`;
}

/** The statement and its stores, validated as a file policy is (any problem names the input it came from). */
export function resolveInlineTrust(trust: InlineTrust, name: InputNames): ResolvedTrust {
  if (trust.certificates.length === 0) {
    throw new NotarySignError(
      'INPUT',
      `${name('trusted-certificates')} is empty: give the PEM certificates to trust (or ${name('trusted-key-vault-certificates')})`,
    );
  }
  if (trust.identities.length === 0)
    throw new NotarySignError('INPUT', `${name('trusted-identities')} is empty: give x509.subject identities, or *`);
  const statement = {
    name: 'notary-sign',
    registryScopes: trust.registryScopes.length > 0 ? trust.registryScopes : ['*'],
    signatureVerification: { level: trust.verificationLevel || 'strict' },
    trustStores: [`ca:${INLINE_STORE}`, ...(trust.tsaCertificates.length > 0 ? [`tsa:${INLINE_TSA_STORE}`] : [])],
    trustedIdentities: trust.identities,
  };
  const policyJson = `${JSON.stringify({ version: '1.0', trustPolicies: [statement] }, null, 2)}\n`;
  let trustPolicy: TrustPolicyDocument;
  try {
    trustPolicy = parseTrustPolicy(policyJson, 'the inline trust inputs');
  } catch (err) {
    // The file rules, reported against the inputs that fed them.
    const inputs = [name('trusted-identities'), name('registry-scopes'), name('verification-level')].join(', ');
    throw new NotarySignError('INPUT', `${inputs}: ${(err as Error).message}`, { cause: err });
  }
  const stores = new Map([[`ca:${INLINE_STORE}`, trust.certificates]]);
  if (trust.tsaCertificates.length > 0) stores.set(`tsa:${INLINE_TSA_STORE}`, trust.tsaCertificates);
  const description =
    `trusting ${trust.certificates.map((c) => `"${c.subject}"`).join(', ')}` +
    `${trust.tsaCertificates.length > 0 ? ` (TSA: ${trust.tsaCertificates.map((c) => `"${c.subject}"`).join(', ')})` : ''}` +
    ` for ${trust.identities.join('; ')} (${statement.signatureVerification.level}, scopes ${statement.registryScopes.join(', ')})`;
  return {
    trustPolicy,
    trustStore: new MemoryTrustStore(stores),
    policyJson,
    description,
    stores: [
      { type: 'ca', name: INLINE_STORE, certificates: trust.certificates },
      ...(trust.tsaCertificates.length > 0 ? [{ type: 'tsa' as const, name: INLINE_TSA_STORE, certificates: trust.tsaCertificates }] : []),
    ],
  };
}
