import { execFile } from 'node:child_process';
import * as asn1js from 'asn1js';
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { issueCertificate, type CertSpec, type IssuedCert } from '../helpers/test-certs.js';
import { readBody } from './faults.js';

/**
 * A real RFC 3161 timestamp authority: `openssl ts -reply` signing with a TSA
 * certificate (critical timeStamping EKU) issued by its own root, behind a
 * small loopback HTTP front.
 */
export interface Tsa {
  url: string;
  root: IssuedCert;
  requests: number;
  stop(): Promise<void>;
}

/** What a TSA can get wrong: its certificate's profile, the chain it sends, the ESS attribute it signs. */
export interface TsaOptions {
  /** Overrides for the TSA certificate (a CA flag, a key usage, a SHA-1 signature). */
  signer?: Partial<CertSpec>;
  /** The TSA certificate's issuer; default a fresh root. */
  issuer?: IssuedCert;
  /** Certificates the token carries after the TSA certificate; default the root. */
  extra?: IssuedCert[];
  /** ESS certificate ID hash: `sha1` makes OpenSSL sign the v1 signingCertificate attribute instead of v2. */
  essHash?: 'sha1' | 'sha256';
  /** Sign tokens with the `signer` certificate even where OpenSSL's TSA would refuse it (a CA, no digitalSignature). */
  resign?: boolean;
  /** A TSA certificate made elsewhere (e.g. by `openssl ca`, naming OCSP/CRL endpoints) and the chain after it. */
  pem?: { cert: string; key: string; chain: string };
}

const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

const openssl = (args: string[]) =>
  new Promise<void>((done, fail) =>
    execFile('openssl', args, (err, _out, stderr) => (err ? fail(new Error(`openssl ${args[0]}: ${stderr}`)) : done())),
  );

export async function startTsa(dir: string, opts: TsaOptions = {}): Promise<Tsa> {
  const root = await issueCertificate({ subject: 'CN=Test TSA Root,O=notary-sign tests,ST=WA,C=US', ca: true, key: 'EC-384' });
  const signer = opts.pem
    ? { certPem: opts.pem.cert, keyPem: opts.pem.key }
    : await issueCertificate({
        subject: 'CN=Test TSA,O=notary-sign tests,ST=WA,C=US',
        key: 'RSA-2048',
        issuer: opts.issuer ?? root,
        eku: [TIME_STAMPING],
        ekuCritical: true,
        ...opts.signer,
      });
  // `openssl ts -reply` refuses a signer whose certificate lacks the TSA purpose; to hand out such tokens anyway
  // (as a misconfigured TSA would), it signs with a compliant stand-in and `openssl cms -sign` re-signs its TSTInfo.
  const tsSigner = opts.resign
    ? await issueCertificate({
        subject: 'CN=stand-in TSA,O=notary-sign tests,ST=WA,C=US',
        issuer: root,
        eku: [TIME_STAMPING],
        ekuCritical: true,
      })
    : signer;
  const prefix = randomUUID();
  const name = (file: string) => join(dir, `${prefix}-${file}`);
  const files = {
    cert: name('tsa.crt'),
    key: name('tsa.key'),
    chain: name('tsa-chain.pem'),
    serial: name('tsa-serial'),
    config: name('tsa.cnf'),
    signerCert: name('signer.crt'),
    signerKey: name('signer.key'),
    extra: name('extra.pem'),
  };
  await writeFile(files.cert, tsSigner.certPem);
  await writeFile(files.key, tsSigner.keyPem, { mode: 0o600 });
  await writeFile(files.signerCert, signer.certPem);
  await writeFile(files.signerKey, signer.keyPem, { mode: 0o600 });
  const extra = opts.pem?.chain ?? (opts.extra ?? [root]).map((c) => c.certPem).join('');
  await writeFile(files.chain, signer.certPem + extra);
  await writeFile(files.extra, extra);
  await writeFile(files.serial, '01\n');
  await writeFile(
    files.config,
    `[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ${files.serial}
crypto_device = builtin
signer_cert = ${files.cert}
certs = ${files.chain}
signer_key = ${files.key}
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = ${opts.essHash ?? 'sha256'}
`,
  );
  const reply = async (query: Buffer): Promise<Buffer> => {
    const id = join(dir, randomUUID());
    await writeFile(`${id}.tsq`, query);
    await openssl(['ts', '-reply', '-config', files.config, '-queryfile', `${id}.tsq`, '-out', `${id}.tsr`]);
    if (!opts.resign) return await readFile(`${id}.tsr`);
    await openssl(['ts', '-reply', '-in', `${id}.tsr`, '-token_out', '-out', `${id}.token`]);
    await openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', `${id}.token`, '-binary', '-out', `${id}.tst`]);
    // -cades adds the ESS signingCertificateV2 attribute (RFC 5816) for the re-signing certificate.
    const resign = ['cms', '-sign', '-binary', '-nodetach', '-cades', '-md', 'sha256', '-econtent_type', '1.2.840.113549.1.9.16.1.4'];
    const sources = ['-in', `${id}.tst`, '-signer', files.signerCert, '-inkey', files.signerKey, '-certfile', files.extra];
    await openssl([...resign, ...sources, '-outform', 'DER', '-out', `${id}.token2`]);
    // TimeStampResp ::= SEQUENCE { status PKIStatusInfo (granted), timeStampToken } (RFC 3161 2.4.2)
    const granted = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 })] });
    const token = asn1js.fromBER(new Uint8Array(await readFile(`${id}.token2`))).result;
    return Buffer.from(new asn1js.Sequence({ value: [granted, token] }).toBER());
  };
  const state = { requests: 0 };
  let queue: Promise<void> = Promise.resolve();
  const server = createServer(async (req, res) => {
    state.requests++;
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') return void res.writeHead(400).end();
    const query = await readBody(req);
    // One reply at a time: each `openssl ts -reply` reads and rewrites the serial file, and two at once
    // can read a half-written one (the reply is then "status 2, system error").
    const turn = queue.then(() =>
      reply(query).then(
        (bytes) => void res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(bytes),
        (err: Error) => void res.writeHead(500).end(err.message),
      ),
    );
    queue = turn;
    await turn;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/tsa`,
    root,
    get requests() {
      return state.requests;
    },
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
