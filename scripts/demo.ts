/**
 * `npm run demo`: the product working in one command, without Azure.
 * Starts a real local registry, pushes a small image, makes a throwaway
 * certificate chain, signs with the CLI, shows what landed, then verifies it
 * against a trust policy and refuses an unsigned image.
 */
import { mkdir } from 'node:fs/promises';
import { main } from '../cli/main.js';
import { ToolsMissingError } from './tools.js';
import { RegistryClient, type Repository } from '../src/registry/client.js';
import { staticCredentials } from '../src/registry/credentials.js';
import { serveLayout } from '../src/oci/layout.js';
import type { Descriptor } from '../src/oci/media-types.js';
import { startRegistry } from '../test/helpers/registry.js';
import { pushImage } from '../test/helpers/image.js';
import { tempDir } from '../test/helpers/files.js';
import { generateTestChain } from '../test/helpers/test-certs.js';

const step = (n: number, text: string) => console.log(`\n\x1b[1m${n}. ${text}\x1b[0m`);

/** The demo's one line for anything that goes wrong: what failed, never a stack trace. */
function fail(err: unknown): never {
  const message = err instanceof ToolsMissingError ? err.message : `notary-sign demo: ${err instanceof Error ? err.message : String(err)}`;
  console.error(message.split('\n')[0]);
  if (process.env.NOTARY_SIGN_DEBUG && err instanceof Error) console.error(err.stack);
  process.exit(1);
}

/**
 * Where the demo's images live: the real registry when its binary is here, else (the embedded default) an
 * OCI image layout in the temporary directory, which every command takes as `oci:<dir>@<digest>`.
 */
interface Place {
  what: string;
  client: RegistryClient;
  repo(name: string): Repository;
  ref(name: string, digest: string): string;
  cliArgs: string[];
  stop(): Promise<void>;
}

async function place(dir: string): Promise<Place> {
  try {
    const registry = await startRegistry();
    return {
      what: `Started the CNCF distribution registry at ${registry.host}`,
      client: new RegistryClient({ insecureRegistries: [registry.host] }),
      repo: (name) => ({ registry: registry.host, repository: name }),
      ref: (name, digest) => `${registry.host}/${name}@${digest}`,
      cliArgs: ['--insecure-registry', registry.host],
      stop: () => registry.stop(),
    };
  } catch (err) {
    if (!(err instanceof ToolsMissingError)) throw err;
    console.log(`${err.message.split('\n')[0]}\nNo registry here: the same story on an OCI image layout instead.`);
    const layout = `${dir}/layout`;
    const served = await serveLayout(layout, { create: true, input: 'demo' });
    return {
      what: `Created an OCI image layout at ${layout} (oci:${layout})`,
      client: new RegistryClient({
        insecureRegistries: [served.host],
        credentials: staticCredentials({ [served.host]: served.credentials }),
      }),
      repo: () => ({ registry: served.host, repository: 'layout' }),
      ref: (_name, digest) => `oci:${layout}@${digest}`,
      cliArgs: [],
      stop: () => served.stop(),
    };
  }
}

const dir = await tempDir('notary-sign-demo-');
const registry = await place(dir.path).catch(async (err: unknown) => {
  await dir.remove();
  return fail(err);
});
let failure: unknown;
try {
  step(1, registry.what);
  const client = registry.client;
  const image = await pushImage(client, registry.repo('demo/hello'), 'hello');
  step(2, `Pushed ${registry.ref('demo/hello', image.digest)}`);

  const chain = await generateTestChain({ subject: 'CN=demo signer,O=notary-sign demo,ST=WA,C=US' });
  const key = await dir.file('signer.key', chain.leaf.keyPem);
  const certs = await dir.file('signer.crt', chain.chainPem);
  await dir.file('trust-root.crt', chain.root.certPem);
  step(3, `Generated a throwaway root CA and an EC P-256 code-signing certificate in ${dir.path}`);

  const ref = registry.ref('demo/hello', image.digest);
  const args = [
    'sign',
    ref,
    '--key',
    key,
    '--certificate-chain',
    certs,
    '--expiry',
    '30d',
    '--annotation',
    'io.example.demo=true',
    ...registry.cliArgs,
    '--output',
    'json',
  ];
  step(4, `notary-sign ${args.map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' ')}`);
  const code = await main(args);
  if (code !== 0) throw new Error('signing failed (the error is printed above)');

  step(5, 'What is now stored (read back through the registry API)');
  const tag = `sha256-${image.digest.slice(7)}`;
  const repo = registry.repo('demo/hello');
  const index = JSON.parse((await client.getManifest(repo, tag)).bytes.toString()) as { manifests: Descriptor[] };
  const sig = index.manifests[0]!;
  console.log(`referrers tag ${tag} lists ${index.manifests.length} signature: ${sig.digest} (artifactType ${sig.artifactType})`);
  const manifest = JSON.parse((await client.getManifest(repo, sig.digest)).bytes.toString()) as { layers: Descriptor[] };
  const envelope = JSON.parse((await client.getBlob(repo, manifest.layers[0]!.digest, 1 << 20)).toString()) as {
    protected: string;
    payload: string;
    header: { x5c: string[]; 'io.cncf.notary.signingAgent'?: string };
  };
  console.log('protected header:', JSON.parse(Buffer.from(envelope.protected, 'base64url').toString()));
  console.log('payload:', JSON.parse(Buffer.from(envelope.payload, 'base64url').toString()));
  console.log(
    `certificate chain: ${envelope.header.x5c.length} certificates; signing agent ${envelope.header['io.cncf.notary.signingAgent']}`,
  );

  await mkdir(`${dir.path}/truststore/x509/ca/demo`, { recursive: true });
  await dir.file('truststore/x509/ca/demo/root.pem', chain.root.certPem);
  const policy = await dir.file(
    'trustpolicy.json',
    JSON.stringify(
      {
        version: '1.0',
        trustPolicies: [
          {
            name: 'demo',
            registryScopes: ['*'],
            signatureVerification: { level: 'strict' },
            trustStores: ['ca:demo'],
            trustedIdentities: ['x509.subject: C=US, ST=WA, O=notary-sign demo'],
          },
        ],
      },
      null,
      2,
    ),
  );
  const verifyArgs = ['verify', ref, '--trust-policy', policy, '--trust-store', `${dir.path}/truststore`, ...registry.cliArgs];
  step(6, `notary-sign ${verifyArgs.join(' ')}`);
  await main(verifyArgs);

  const unsigned = await pushImage(client, registry.repo('demo/unsigned'), 'unsigned');
  step(7, 'The same policy refuses an image nobody signed');
  await main(['verify', registry.ref('demo/unsigned', unsigned.digest), ...verifyArgs.slice(2)]);
  console.log('\nDone. The registry and the throwaway keys are removed on exit.');
} catch (err) {
  failure = err;
} finally {
  await registry.stop();
  await dir.remove();
}
if (failure !== undefined) fail(failure);
