import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A notation trust policy and store on disk that trust one root for every repository (strict, any signer):
 * what most tests and benches verify against. Returns the paths and the CLI arguments naming them.
 */
export async function writeTrustFiles(
  dir: string,
  { name, rootPem, level = 'strict' }: { name: string; rootPem: string; level?: string },
): Promise<{ policyPath: string; storeDir: string; policyJson: string; args: string[] }> {
  const storeDir = join(dir, `store-${name}`);
  await mkdir(join(storeDir, 'x509/ca', name), { recursive: true });
  await writeFile(join(storeDir, 'x509/ca', name, 'root.pem'), rootPem);
  const policyJson = JSON.stringify({
    version: '1.0',
    trustPolicies: [
      { name, registryScopes: ['*'], signatureVerification: { level }, trustStores: [`ca:${name}`], trustedIdentities: ['*'] },
    ],
  });
  const policyPath = join(dir, `trustpolicy-${name}.json`);
  await writeFile(policyPath, policyJson);
  return { policyPath, storeDir, policyJson, args: ['--trust-policy', policyPath, '--trust-store', storeDir] };
}
