import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBody } from '../doubles/faults.js';

/**
 * A real certificate authority for revocation tests, run by OpenSSL: `openssl ca` issues and revokes (its
 * index.txt database) and makes the CRLs (`-gencrl`); `openssl ocsp` answers each OCSP request from that
 * database (`-reqin`/`-respout`, one process per request, so nothing listens but the loopback HTTP front).
 * Each certificate's AIA and CDP URLs carry a mode in their path, so one CA serves well-behaved and broken
 * endpoints side by side: `/ocsp/<ca>/<mode>/…` and `/crl/<ca>/<mode>.crl`.
 */

export type OcspMode =
  'ok' | 'down' | 'slow' | 'garbage' | 'unknown' | 'wrong-serial' | 'delegated' | 'delegated-no-eku' | 'no-next-update';
export type CrlMode = 'ok' | 'down' | 'slow' | 'garbage' | 'stale' | 'wrong-key' | 'huge';

export interface Issued {
  name: string;
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

interface Ca extends Issued {
  dir: string;
  config: string;
}

const run = (args: string[], cwd?: string) =>
  new Promise<string>((resolve, reject) =>
    execFile('openssl', args, { cwd }, (err, out, stderr) =>
      err ? reject(new Error(`openssl ${args.join(' ')}: ${stderr}`)) : resolve(out),
    ),
  );

const ymd = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

export class RevocationPki {
  readonly requests: string[] = [];
  private server!: Server;
  private port = 0;
  private readonly cas = new Map<string, Ca>();
  private readonly responders = new Map<string, Issued>();
  root!: Ca;

  private constructor(readonly dir: string) {}

  static async start(dir: string): Promise<RevocationPki> {
    const pki = new RevocationPki(join(dir, `pki-${randomUUID().slice(0, 8)}`));
    await mkdir(pki.dir, { recursive: true });
    pki.server = createServer((req, res) => void pki.handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((r) => pki.server.listen(0, '127.0.0.1', r));
    pki.port = (pki.server.address() as { port: number }).port;
    pki.root = await pki.newCa('root');
    return pki;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** A CA: self-signed when no issuer is given, else issued by `issuer` with the endpoints chosen. */
  async newCa(name: string, issuer?: Ca, modes: { ocsp?: OcspMode | null; crl?: CrlMode | null } = {}): Promise<Ca> {
    const dir = join(this.dir, name);
    const { config, keyPath, certPath } = await initCaDir(dir);
    if (!issuer) {
      await selfSignedCa({ keyPath, certPath, subject: `/CN=Revocation ${name}/O=notary-sign tests` });
    } else {
      await this.sign(issuer, {
        name,
        keyPath,
        certPath,
        subject: `/CN=Revocation ${name}/O=notary-sign tests`,
        profile: 'ca',
        ocsp: modes.ocsp === undefined ? 'ok' : modes.ocsp,
        crl: modes.crl === undefined ? 'ok' : modes.crl,
      });
    }
    const ca: Ca = {
      name,
      dir,
      config,
      keyPath,
      certPath,
      certPem: await readFile(certPath, 'utf8'),
      keyPem: await readFile(keyPath, 'utf8'),
    };
    this.cas.set(name, ca);
    await this.publishCrl(ca);
    return ca;
  }

  /** A code-signing (or timestamping) leaf issued by `ca`, naming the endpoints in the modes given. */
  async leaf(
    ca: Ca,
    name: string,
    modes: { ocsp?: OcspMode | null; crl?: CrlMode | null; profile?: 'codesign' | 'tsa' } = {},
  ): Promise<Issued> {
    const { keyPath, certPath } = await newKey(join(this.dir, 'leaves'), name);
    await this.sign(ca, {
      name,
      keyPath,
      certPath,
      subject: `/CN=${name}/O=notary-sign tests/ST=WA/C=US`,
      profile: modes.profile ?? 'codesign',
      ocsp: modes.ocsp === undefined ? 'ok' : modes.ocsp,
      crl: modes.crl === undefined ? 'ok' : modes.crl,
    });
    return { name, keyPath, certPath, certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
  }

  /** The PEM chain a signer sends: leaf, its CA(s), the root. */
  chainPem(leaf: Issued, ...cas: Ca[]): string {
    return [leaf.certPem, ...cas.map((c) => c.certPem)].join('');
  }

  /** Revoke in the CA database, then publish a new CRL: both OCSP and CRL answer "revoked" from now on. */
  async revoke(ca: Ca, cert: Issued, opts: { reason?: string; invalidAfter?: Date } = {}): Promise<void> {
    const how = opts.invalidAfter ? ['-crl_compromise', ymd(opts.invalidAfter)] : ['-crl_reason', opts.reason ?? 'keyCompromise'];
    await run(['ca', '-config', ca.config, '-revoke', cert.certPath, ...how, '-batch']);
    await this.publishCrl(ca);
  }

  private async sign(
    ca: Ca,
    o: {
      name: string;
      keyPath: string;
      certPath: string;
      subject: string;
      profile: 'ca' | 'codesign' | 'tsa' | 'ocsp' | 'ocsp-no-eku';
      ocsp?: OcspMode | null;
      crl?: CrlMode | null;
    },
  ): Promise<void> {
    const csr = `${o.certPath}.csr`;
    await run(['req', '-new', '-key', o.keyPath, '-subj', o.subject, '-out', csr]);
    const ext = `${o.certPath}.ext`;
    const lines = {
      ca: ['basicConstraints=critical,CA:true,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign'],
      codesign: ['basicConstraints=critical,CA:false', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=codeSigning'],
      tsa: ['basicConstraints=critical,CA:false', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=critical,timeStamping'],
      ocsp: ['basicConstraints=critical,CA:false', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=OCSPSigning'],
      'ocsp-no-eku': ['basicConstraints=critical,CA:false', 'keyUsage=critical,digitalSignature'],
    }[o.profile];
    const endpoints = [
      ...(o.ocsp ? [`authorityInfoAccess=OCSP;URI:${this.base}/ocsp/${ca.name}/${o.ocsp}`] : []),
      ...(o.crl ? [`crlDistributionPoints=URI:${this.base}/crl/${ca.name}/${o.crl}.crl`] : []),
    ];
    await writeFile(ext, ['subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid', ...lines, ...endpoints].join('\n') + '\n');
    // Valid from an hour ago: a timestamp's accuracy window must not reach before notBefore.
    const start = ymd(new Date(Date.now() - 3_600_000));
    await run([
      'ca',
      '-config',
      ca.config,
      '-in',
      csr,
      '-out',
      o.certPath,
      '-extfile',
      ext,
      '-startdate',
      start,
      '-days',
      '3650',
      '-batch',
      '-notext',
    ]);
  }

  /** A fresh CRL (nextUpdate in a day), DER, as the CDP URLs serve it. */
  private async publishCrl(ca: Ca, window?: { lastUpdate: Date; nextUpdate: Date }): Promise<void> {
    const dates = window ? ['-crl_lastupdate', ymd(window.lastUpdate), '-crl_nextupdate', ymd(window.nextUpdate)] : ['-crldays', '1'];
    const pem = join(ca.dir, window ? 'stale.crl.pem' : 'crl.pem');
    await run(['ca', '-config', ca.config, '-gencrl', ...dates, '-out', pem, '-batch']);
    await run(['crl', '-in', pem, '-outform', 'DER', '-out', join(ca.dir, window ? 'stale.crl' : 'crl.der')]);
  }

  private async responder(ca: Ca, withEku: boolean): Promise<Issued> {
    const key = `${ca.name}:${withEku}`;
    let r = this.responders.get(key);
    if (!r) {
      const name = `${ca.name}-responder${withEku ? '' : '-no-eku'}`;
      const { keyPath, certPath } = await newKey(join(this.dir, 'responders'), name);
      await this.sign(ca, {
        name,
        keyPath,
        certPath,
        subject: `/CN=${name}`,
        profile: withEku ? 'ocsp' : 'ocsp-no-eku',
        ocsp: null,
        crl: null,
      });
      r = { name, keyPath, certPath, certPem: '', keyPem: '' };
      this.responders.set(key, r);
    }
    return r;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', this.base);
    const [kind, caName, rest] = url.pathname.split('/').filter(Boolean);
    const ca = this.cas.get(caName ?? '');
    const body = await readBody(req);
    if (!ca || !rest) return void res.writeHead(404).end();
    const mode = kind === 'crl' ? rest.replace(/\.crl$/, '') : rest;
    if (mode === 'down') return void res.destroy();
    if (mode === 'slow') return; // never answers: the client's timeout decides
    if (mode === 'garbage') return void res.writeHead(200).end('<html>not what you asked for</html>');
    if (kind === 'crl') return this.serveCrl(ca, mode as CrlMode, res);
    // OCSP: GET /ocsp/<ca>/<mode>/<base64 request> or POST with the request as the body.
    const request = req.method === 'POST' ? body : Buffer.from(decodeURIComponent(url.pathname.split('/').slice(4).join('/')), 'base64');
    res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(await this.ocspAnswer(ca, mode as OcspMode, request));
  }

  private async serveCrl(ca: Ca, mode: CrlMode, res: ServerResponse): Promise<void> {
    if (mode === 'huge') {
      // Past notation's 32 MiB limit, streamed: the client must stop reading, not buffer it all.
      res.writeHead(200, { 'content-type': 'application/pkix-crl' });
      const chunk = Buffer.alloc(1024 * 1024, 0x30);
      for (let i = 0; i < 40 && !res.destroyed; i++) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      return void res.end();
    }
    if (mode === 'stale') {
      const hourAgo = new Date(Date.now() - 3_600_000);
      await this.publishCrl(ca, { lastUpdate: new Date(hourAgo.getTime() - 86_400_000), nextUpdate: hourAgo });
      return void res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(await readFile(join(ca.dir, 'stale.crl')));
    }
    if (mode === 'wrong-key') {
      // The same issuer name, another key: what a forger would publish.
      const forger = this.cas.get(`${ca.name}-forger`) ?? (await this.forger(ca));
      return void res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(await readFile(join(forger.dir, 'crl.der')));
    }
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(await readFile(join(ca.dir, 'crl.der')));
  }

  private async forger(ca: Ca): Promise<Ca> {
    const dir = join(this.dir, `${ca.name}-forger`);
    const { config, keyPath, certPath } = await initCaDir(dir);
    await selfSignedCa({ keyPath, certPath, subject: `/CN=Revocation ${ca.name}/O=notary-sign tests` });
    const forger: Ca = { name: `${ca.name}-forger`, dir, config, keyPath, certPath, certPem: '', keyPem: '' };
    this.cas.set(forger.name, forger);
    await this.publishCrl(forger);
    return forger;
  }

  private async ocspAnswer(ca: Ca, mode: OcspMode, request: Buffer): Promise<Buffer> {
    const id = join(this.dir, randomUUID());
    let reqPath = `${id}.req`;
    await writeFile(reqPath, request);
    if (mode === 'wrong-serial') {
      // A well-signed answer about another certificate of the same CA.
      reqPath = `${id}.other.req`;
      await run(['ocsp', '-issuer', ca.certPath, '-serial', '0x1234', '-no_nonce', '-reqout', reqPath]);
    }
    let index = join(ca.dir, 'index.txt');
    if (mode === 'unknown') {
      index = `${id}.empty-index`;
      await writeFile(index, '');
    }
    const signer =
      mode === 'delegated' || mode === 'delegated-no-eku'
        ? await this.responder(ca, mode === 'delegated')
        : { certPath: ca.certPath, keyPath: ca.keyPath };
    const validity = mode === 'no-next-update' ? [] : ['-nmin', '10'];
    await run([
      'ocsp',
      '-index',
      index,
      '-CA',
      ca.certPath,
      '-rsigner',
      signer.certPath,
      '-rkey',
      signer.keyPath,
      '-reqin',
      reqPath,
      '-respout',
      `${id}.resp`,
      ...validity,
    ]);
    return readFile(`${id}.resp`);
  }
}

/** A self-signed CA certificate (a root, or a forger's stand-in for one) for an existing key. */
function selfSignedCa({ keyPath, certPath, subject }: { keyPath: string; certPath: string; subject: string }): Promise<string> {
  return run([
    'req',
    '-x509',
    '-new',
    '-key',
    keyPath,
    '-subj',
    subject,
    '-days',
    '3650',
    '-sha256',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    certPath,
  ]);
}

/** A fresh P-256 key in `dir`, and where its certificate will go. */
async function newKey(dir: string, name: string): Promise<{ keyPath: string; certPath: string }> {
  await mkdir(dir, { recursive: true });
  const keyPath = join(dir, `${name}.key`);
  await run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
  return { keyPath, certPath: join(dir, `${name}.pem`) };
}

/** An `openssl ca` directory: database, serial and CRL number files, configuration, and a fresh P-256 key. */
async function initCaDir(dir: string): Promise<{ config: string; keyPath: string; certPath: string }> {
  await mkdir(join(dir, 'newcerts'), { recursive: true });
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), `${randomSerial()}\n`);
  await writeFile(join(dir, 'crlnumber'), '01\n');
  const config = join(dir, 'ca.cnf');
  await writeFile(config, caConfig(dir));
  return { config, ...(await newKey(dir, 'ca')) };
}

function caConfig(dir: string): string {
  return `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
default_days = 3650
default_crl_days = 1
[ policy_any ]
commonName = supplied
organizationName = optional
stateOrProvinceName = optional
countryName = optional
`;
}

const randomSerial = () =>
  `${(Math.floor(Math.random() * 0x7fffff) + 0x100000).toString(16)}${randomUUID().replace(/-/g, '').slice(0, 8)}`.toUpperCase();
