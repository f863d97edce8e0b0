import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { issueCertificate, type IssuedCert } from '../helpers/test-certs.js';
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

/** `signatureHash` signs the TSA certificate with SHA-1, a chain verifiers must refuse. */
export async function startTsa(dir: string, opts: { signatureHash?: 'SHA-1' } = {}): Promise<Tsa> {
  const root = await issueCertificate({ subject: 'CN=Test TSA Root,O=notary-sign tests,ST=WA,C=US', ca: true, key: 'EC-384' });
  const signer = await issueCertificate({
    subject: 'CN=Test TSA,O=notary-sign tests,ST=WA,C=US',
    key: 'RSA-2048',
    issuer: root,
    eku: ['1.3.6.1.5.5.7.3.8'],
    ekuCritical: true,
    ...opts,
  });
  const name = (file: string) => join(dir, opts.signatureHash ? `sha1-${file}` : file);
  const files = {
    cert: name('tsa.crt'),
    key: name('tsa.key'),
    chain: name('tsa-chain.pem'),
    serial: name('tsa-serial'),
    config: name('tsa.cnf'),
  };
  await writeFile(files.cert, signer.certPem);
  await writeFile(files.key, signer.keyPem, { mode: 0o600 });
  await writeFile(files.chain, signer.certPem + root.certPem);
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
ess_cert_id_alg = sha256
`,
  );
  const state = { requests: 0 };
  let queue: Promise<void> = Promise.resolve();
  const server = createServer(async (req, res) => {
    state.requests++;
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') return void res.writeHead(400).end();
    const id = randomUUID();
    const query = join(dir, `${id}.tsq`);
    const reply = join(dir, `${id}.tsr`);
    await writeFile(query, await readBody(req));
    // One `openssl ts -reply` at a time: each reads and rewrites the serial file, and two at once
    // can read a half-written one (the reply is then "status 2, system error").
    const turn = queue.then(
      () =>
        new Promise<void>((done) => {
          execFile('openssl', ['ts', '-reply', '-config', files.config, '-queryfile', query, '-out', reply], (err, _out, stderr) => {
            if (err) {
              res.writeHead(500).end(stderr);
              return done();
            }
            readFile(reply).then(
              (bytes) => (res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(bytes), done()),
              () => (res.writeHead(500).end(), done()),
            );
          });
        }),
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
