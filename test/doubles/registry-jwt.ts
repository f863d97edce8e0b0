import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { issueCertificate } from '../helpers/test-certs.js';

/**
 * Mints the JWTs distribution's `auth: token` accepts: ES256, with the
 * signer's self-signed certificate in x5c and written to the rootcertbundle.
 */
export interface RegistryTokenMinter {
  issuer: string;
  rootCertBundlePath: string;
  mint(service: string, subject: string, access: { type: string; name: string; actions: string[] }[]): Promise<string>;
}

export async function createRegistryTokenMinter(dir: string, issuer: string): Promise<RegistryTokenMinter> {
  const signer = await issueCertificate({ subject: `CN=${issuer} token signer`, ca: true, key: 'EC-256' });
  const rootCertBundlePath = join(dir, `${issuer}-token-root.pem`);
  await writeFile(rootCertBundlePath, signer.certPem);
  const key = await importPKCS8(signer.keyPem, 'ES256');
  return {
    issuer,
    rootCertBundlePath,
    mint: (service, subject, access) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ access })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c: [signer.der.toString('base64')] })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(service)
        .setIssuedAt(now)
        .setNotBefore(now - 10)
        .setExpirationTime(now + 300)
        .setJti(randomUUID())
        .sign(key);
    },
  };
}
