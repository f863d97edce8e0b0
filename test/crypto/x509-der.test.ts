import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as x509 from '../../src/crypto/x509.js';
import { Certificate, KeyUsage, OID } from '../../src/crypto/certificate.js';
import { CODE_SIGNING, issueCertificate } from '../helpers/test-certs.js';

/**
 * Certificate fields now come from asn1js instead of @peculiar/x509 (which still parses CRLs and PKCS#12): the
 * same certificates must give the same subject text, RDNs, times and extensions as before, so messages,
 * trusted identities and chain rules are unchanged. Compared over every certificate in ../shared (real Key
 * Vault exports, notation's signatures) and generated ones with awkward names.
 */
function pemFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return pemFiles(path);
    return name.endsWith('.pem') || name.endsWith('.crt') ? [path] : [];
  });
}

function certificatesOf(text: string): Buffer[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'),
  );
}

function peculiar(der: Buffer) {
  const c = new x509.X509Certificate(new Uint8Array(der));
  const ext = <T extends x509.Extension>(type: new (raw: BufferSource) => T, oid: string) => {
    const raw = c.extensions.find((e) => e.type === oid);
    return raw ? { ext: new type(raw.rawData), critical: raw.critical } : undefined;
  };
  const bc = ext(x509.BasicConstraintsExtension, OID.basicConstraints);
  const ku = ext(x509.KeyUsagesExtension, OID.keyUsage);
  const eku = ext(x509.ExtendedKeyUsageExtension, OID.extKeyUsage);
  const aia = ext(x509.AuthorityInfoAccessExtension, OID.authorityInfoAccess)?.ext;
  const cdp = ext(x509.CRLDistributionPointsExtension, OID.crlDistributionPoints)?.ext;
  return {
    subject: c.subject,
    rdns: c.subjectName.toJSON().map((rdn) => Object.entries(rdn).flatMap(([type, values]) => values.map((value) => ({ type, value })))),
    notBefore: c.notBefore.getTime(),
    notAfter: c.notAfter.getTime(),
    issuer: Buffer.from(c.issuerName.toArrayBuffer()).toString('hex'),
    basicConstraints: bc && { ca: bc.ext.ca, pathLength: bc.ext.pathLength, critical: bc.critical },
    keyUsage: ku && { flags: ku.ext.usages as number, critical: ku.critical },
    eku: eku && { usages: [...eku.ext.usages].map(String), critical: eku.critical },
    ocsp: (aia?.ocsp ?? []).filter((n) => n.type === 'url').map((n) => n.value),
    crl: [...(cdp?.distributionPoints ?? [])].flatMap((dp) =>
      (dp.distributionPoint?.fullName ?? []).flatMap((n) => (n.uniformResourceIdentifier ? [n.uniformResourceIdentifier] : [])),
    ),
  };
}

function ours(der: Buffer): ReturnType<typeof peculiar> {
  const c = new Certificate(der);
  const bc = c.basicConstraints();
  return {
    subject: c.subject,
    rdns: c.subjectRdns(),
    notBefore: c.notBefore.getTime(),
    notAfter: c.notAfter.getTime(),
    issuer: c.issuerNameDer.toString('hex'),
    basicConstraints: bc && { ca: bc.ca, pathLength: bc.pathLength, critical: bc.critical },
    keyUsage: c.keyUsage(),
    eku: c.extendedKeyUsage(),
    ocsp: c.ocspUrls(),
    crl: c.crlUrls(),
  };
}

test('every certificate in ../shared reads the same as with @peculiar/x509', () => {
  const ders = pemFiles(join(process.cwd(), '../shared')).flatMap((f) => certificatesOf(readFileSync(f, 'utf8')));
  assert.ok(ders.length >= 20, `found ${ders.length} certificates`);
  for (const der of ders) assert.deepEqual(ours(der), peculiar(der));
});

test('awkward names, path lengths, usages and revocation endpoints read the same', async () => {
  const root = await issueCertificate({ subject: 'CN=root,O=notary-sign,C=US', ca: true, pathLength: 2, key: 'EC-256' });
  const leaf = await issueCertificate({
    subject: 'CN=a\\, b+OU=x,O=x#y,ST=lead,C=US,E=ops@example.com,2.5.4.5=12345',
    issuer: root,
    eku: [CODE_SIGNING, '1.3.6.1.5.5.7.3.8'],
    ekuCritical: true,
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.decipherOnly,
    extraExtensions: [
      new x509.AuthorityInfoAccessExtension({
        ocsp: ['http://127.0.0.1:1/ocsp', 'http://127.0.0.1:2/ocsp'],
        caIssuers: ['http://127.0.0.1:1/ca'],
      }),
      new x509.CRLDistributionPointsExtension(['http://127.0.0.1:1/a.crl', 'http://127.0.0.1:1/b.crl']),
    ],
  });
  for (const der of [root.der, leaf.der]) assert.deepEqual(ours(Buffer.from(der)), peculiar(Buffer.from(der)));
  const parsed = ours(Buffer.from(leaf.der));
  assert.equal(parsed.keyUsage?.flags, KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.decipherOnly);
  assert.deepEqual(parsed.ocsp, ['http://127.0.0.1:1/ocsp', 'http://127.0.0.1:2/ocsp']);
  assert.deepEqual(parsed.crl, ['http://127.0.0.1:1/a.crl', 'http://127.0.0.1:1/b.crl']);
  assert.equal(ours(Buffer.from(root.der)).basicConstraints?.pathLength, 2);
});
