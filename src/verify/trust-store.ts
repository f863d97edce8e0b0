import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotarySignError } from '../errors.js';
import { memoizeByKey } from '../util/concurrency.js';
import { parseCertificates, type Certificate } from '../crypto/certificate.js';
import type { TrustStoreType } from './trust-policy.js';

/** Where verification finds the certificates of a named trust store: a directory, or certificates given inline. */
export interface TrustAnchorSource {
  certificates(type: TrustStoreType, name: string): Promise<Certificate[]>;
}

/** Trust stores given as certificates rather than files (inline PEM, Key Vault certificates). */
export class MemoryTrustStore implements TrustAnchorSource {
  constructor(private readonly stores: ReadonlyMap<string, Certificate[]>) {}

  certificates(type: TrustStoreType, name: string): Promise<Certificate[]> {
    const certs = this.stores.get(`${type}:${name}`);
    if (!certs || certs.length === 0)
      return Promise.reject(new NotarySignError('POLICY', `trust store ${type}:${name} holds no certificate`));
    return Promise.resolve(certs);
  }
}

/**
 * A notation trust store directory: `x509/<ca|signingAuthority|tsa>/<name>/`
 * holding PEM or DER certificates. Named stores are read on first use.
 */
export class TrustStore implements TrustAnchorSource {
  private readonly cached = memoizeByKey((key: string) => {
    const i = key.indexOf(':');
    return this.load(key.slice(0, i) as TrustStoreType, key.slice(i + 1));
  });

  constructor(readonly root: string) {}

  certificates(type: TrustStoreType, name: string): Promise<Certificate[]> {
    return this.cached(`${type}:${name}`);
  }

  private async load(type: TrustStoreType, name: string): Promise<Certificate[]> {
    const dir = join(this.root, 'x509', type, name);
    let entries: string[];
    try {
      // A named store that is itself a link could point anywhere: refused, as notation refuses links inside one.
      if ((await lstat(dir)).isSymbolicLink()) {
        throw new NotarySignError(
          'POLICY',
          `trust store ${type}:${name}: "${dir}" is a symbolic link; make it a directory of certificate files`,
        );
      }
      entries = (await readdir(dir)).sort();
    } catch (err) {
      if (err instanceof NotarySignError) throw err;
      throw new NotarySignError('POLICY', `trust store ${type}:${name} was not found: put its certificates in ${dir}/`);
    }
    const certs: Certificate[] = [];
    for (const entry of entries) {
      const path = join(dir, entry);
      // notation-go verifier/truststore/truststore.go: only regular files; a subdirectory or a symlink is an error.
      if (!(await lstat(path)).isFile()) {
        throw new NotarySignError(
          'POLICY',
          `trust store ${type}:${name}: "${path}" is not a regular file (directories or symlinks are not supported); move or remove it`,
        );
      }
      for (const cert of parseCertificates(await readFile(path), `trust store file ${path}`)) {
        const problem = storeCertificateProblem(cert, type);
        if (problem) throw new NotarySignError('POLICY', `trust store file ${path}: ${problem}`);
        certs.push(cert);
      }
    }
    if (certs.length === 0) throw new NotarySignError('POLICY', `trust store ${type}:${name} (${dir}) holds no certificate`);
    return certs;
  }
}

/** notation accepts CA certificates, or a self-signed signing certificate, as trust anchors. */
export function storeCertificateProblem(cert: Certificate, type: TrustStoreType): string | undefined {
  const isCa = cert.basicConstraints()?.ca ?? false;
  if (type === 'tsa')
    return isCa && cert.isSelfSigned()
      ? undefined
      : `certificate "${cert.subject}" is not a self-signed root CA, which a tsa store requires`;
  return isCa || cert.isSelfSigned() ? undefined : `certificate "${cert.subject}" is neither a CA certificate nor self-signed`;
}
