import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTestChain, type TestChain, type TestKeyType } from './test-certs.js';

export async function tempDir(
  prefix = 'notary-sign-test-',
): Promise<{ path: string; file(name: string, content: string | Buffer): Promise<string>; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    file: async (name, content) => {
      const p = join(path, name);
      await writeFile(p, content);
      return p;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

export interface KeyFiles extends TestChain {
  keyPath: string;
  chainPath: string;
}

/** A generated chain written out as the files `sign` takes. */
export async function writeTestChain(
  dir: Awaited<ReturnType<typeof tempDir>>,
  name: string,
  key: TestKeyType = 'EC-256',
): Promise<KeyFiles> {
  const chain = await generateTestChain({ key, subject: `CN=${name},O=notary-sign,ST=WA,C=US` });
  return { ...chain, keyPath: await dir.file(`${name}.key`, chain.leaf.keyPem), chainPath: await dir.file(`${name}.crt`, chain.chainPem) };
}
