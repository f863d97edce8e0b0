import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCertificate, type IssuedCert } from '../helpers/test-certs.js';
import * as x509 from '../../src/crypto/x509.js';

/**
 * A throwaway CA for the doubles' HTTPS servers. Child processes trust it
 * through NODE_EXTRA_CA_CERTS=caPath; nothing ever disables TLS checks.
 */
export interface TestCa {
  caPath: string;
  ca: IssuedCert;
  /** A server certificate for 127.0.0.1 and localhost. */
  server: { key: string; cert: string };
}

export async function createTestCa(dir: string): Promise<TestCa> {
  const ca = await issueCertificate({ subject: 'CN=notary-sign test TLS CA,O=notary-sign tests', ca: true, key: 'EC-256' });
  const server = await issueCertificate({
    subject: 'CN=127.0.0.1',
    key: 'EC-256',
    issuer: ca,
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
    eku: ['1.3.6.1.5.5.7.3.1'],
    extraExtensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const caPath = join(dir, 'test-ca.pem');
  await writeFile(caPath, ca.certPem);
  return { caPath, ca, server: { key: server.keyPem, cert: server.certPem + ca.certPem } };
}
