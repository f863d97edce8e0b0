import { NotarySignError } from '../errors.js';
import { Certificate } from '../crypto/certificate.js';
import { loadPkijs } from '../crypto/pkijs.js';

const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const X509_CERT = '1.2.840.113549.1.9.22.1';

/**
 * The certificates of a password-less PKCS#12 (how Key Vault stores a
 * certificate's secret), leaf first. Key bags are never decrypted or kept.
 */
export async function extractPkcs12Certificates(
  pfxBytes: Buffer,
  { source, chainInput = 'certificate-chain' }: { source: string; chainInput?: string },
): Promise<Certificate[]> {
  const pkijs = await loadPkijs();
  const empty = new ArrayBuffer(0);
  const ders: Buffer[] = [];
  try {
    const pfx = pkijs.PFX.fromBER(new Uint8Array(pfxBytes).buffer);
    await pfx.parseInternalValues({ password: empty, checkIntegrity: false });
    const safe = pfx.parsedValue?.authenticatedSafe;
    if (!safe) throw new Error('no authenticated safe');
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: empty })) });
    // pkijs types the parsed safe contents loosely; each holds a SafeContents of bags.
    const parsed =
      (safe.parsedValue as { safeContents?: { value: InstanceType<typeof pkijs.SafeContents> }[] } | undefined)?.safeContents ?? [];
    for (const contents of parsed) {
      for (const bag of contents.value.safeBags) {
        if (bag.bagId !== CERT_BAG) continue;
        const certBag = bag.bagValue as InstanceType<typeof pkijs.CertBag>;
        if (certBag.certId !== X509_CERT) continue;
        ders.push(Buffer.from((certBag.certValue as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView));
      }
    }
  } catch (err) {
    throw new NotarySignError(
      'KEY',
      `${source} is PKCS#12 that notary-sign cannot read (${(err as Error).message}); ` +
        `create the certificate with content type application/x-pem-file, or pass ${chainInput}`,
    );
  }
  if (ders.length === 0) throw new NotarySignError('KEY', `${source} holds no certificate`);
  return orderLeafFirst(ders.map((d) => new Certificate(d)));
}

/** PKCS#12 has no order: start from the certificate that issued no other, then follow issuers. */
export function orderLeafFirst(certs: Certificate[]): Certificate[] {
  const leaf = certs.find((c) => !certs.some((o) => o !== c && o.isIssuedBy(c))) ?? certs[0]!;
  const chain = [leaf];
  for (let cur = leaf; !cur.isSelfSigned();) {
    const issuer = certs.find((c) => !chain.includes(c) && cur.isIssuedBy(c));
    if (!issuer) break;
    chain.push(issuer);
    cur = issuer;
  }
  return chain;
}
