import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client.js';
import { readTrustPolicy } from '../../src/verify/trust-policy.js';
import { TrustStore } from '../../src/verify/trust-store.js';
import { verifyImage, type ImageVerification } from '../../src/verify/verify.js';
import { pushLayout } from '../helpers/layout.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { runAction } from '../helpers/action.js';
import { runNode } from '../helpers/run.js';
import { tempDir } from '../helpers/files.js';

/**
 * Real notation v1.3.2 signatures (../shared/interop/notation-1.3.2, README there): for every case and every
 * variant, notary-sign's verdict must be notation's, and a failure must be in the same check.
 */
const CASES = fileURLToPath(new URL('../../../shared/interop/notation-1.3.2/cases/', import.meta.url));

interface Run {
  trustPolicy?: string;
  verifyArgs?: string[];
  expect: 'pass' | 'fail';
  notationVerifyOutput: string;
}
interface Case extends Run {
  image: string;
  tag: string;
  notes: string;
  variants?: Run[];
}

/** The check notation failed on, from its `level=error` line. */
function notationFailedCheck(output: string): string | undefined {
  if (/level=error msg=User required metadata/.test(output)) return 'userMetadata';
  return /level=error msg=(\w+) validation failed/.exec(output)?.[1];
}

/** notation's --user-metadata arguments are notary-sign's required annotations. */
function requiredAnnotations(args: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--user-metadata') continue;
    const [k, ...v] = args[++i]!.split('=');
    out[k!] = v.join('=');
  }
  return out;
}

/** The check that rejected the image: of its only signature, or of the first one tried. */
const failedCheck = (v: ImageVerification) => v.signatures.find((s) => s.failedCheck)?.failedCheck;

const names = readdirSync(CASES).sort();
let registry: TestRegistry;
let client: RegistryClient;
const digests = new Map<string, string>();

before(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ insecureRegistries: [registry.host] });
});
after(() => registry?.stop());

describe('the notation v1.3.2 corpus: same verdict, same failing check', () => {
  test('every case is here', () => {
    assert.equal(names.length, 18, names.join(', '));
  });
  for (const name of names) {
    const dir = join(CASES, name);
    const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case;
    const runs: (Run & { label: string })[] = [
      { ...c, label: `${c.trustPolicy ?? 'trustpolicy.json'}` },
      ...(c.variants ?? []).map((v) => ({
        ...v,
        label: `${v.trustPolicy ?? 'trustpolicy.json'} ${(v.verifyArgs ?? []).join(' ')}`.trim(),
      })),
    ];
    for (const run of runs) {
      test(`${name}: ${run.label} → ${run.expect}`, async () => {
        const repository = c.image.split('@')[0]!;
        if (!digests.has(name)) {
          const tags = await pushLayout(client, { registry: registry.host, repository }, join(dir, 'layout'));
          digests.set(name, tags[c.tag]!);
        }
        const v = await verifyImage(`${registry.host}/${repository}@${digests.get(name)!}`, {
          registry: client,
          trustPolicy: await readTrustPolicy(join(dir, run.trustPolicy ?? 'trustpolicy.json')),
          trustStore: new TrustStore(join(dir, 'truststore')),
          requiredAnnotations: requiredAnnotations(run.verifyArgs),
        });
        assert.equal(v.verified, run.expect === 'pass', `notation said ${run.expect}; notary-sign: ${v.reason}`);
        if (run.expect === 'fail') assert.equal(failedCheck(v), notationFailedCheck(run.notationVerifyOutput), v.reason);
      });
    }
  }
});

describe('the corpus through the front ends', () => {
  const caseDir = join(CASES, 'jws-es384-intermediate');
  const c = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as Case;
  const ref = () => `${registry.host}/${c.image.split('@')[0]!}@${c.image.split('@')[1]!}`;
  before(async () => {
    await pushLayout(client, { registry: registry.host, repository: c.image.split('@')[0]! }, join(caseDir, 'layout'));
  });

  test('dist/index.js (the GitHub runner) verifies a notation signature', async () => {
    const dir = await tempDir();
    try {
      const r = await runAction(
        dir.path,
        {
          command: 'verify',
          image: ref(),
          'trust-policy': join(caseDir, 'trustpolicy.json'),
          'trust-store': join(caseDir, 'truststore'),
          'insecure-registries': registry.host,
        },
        { PATH: process.env.PATH, HOME: dir.path, DOCKER_CONFIG: '/nonexistent' },
      );
      assert.equal(r.code, 0, r.visible);
      assert.equal(r.outputs.verified, 'true');
    } finally {
      await dir.remove();
    }
  });

  test('the Azure DevOps bundle (as the agent runs it) verifies a notation signature', async () => {
    const dir = await tempDir();
    try {
      const r = await runNode('out/ado-task/dist/index.js', [], {
        env: {
          PATH: process.env.PATH,
          HOME: dir.path,
          DOCKER_CONFIG: '/nonexistent',
          AGENT_TEMPDIRECTORY: dir.path,
          INPUT_COMMAND: 'verify',
          INPUT_IMAGES: ref(),
          INPUT_TRUSTPOLICY: join(caseDir, 'trustpolicy.json'),
          INPUT_TRUSTSTORE: join(caseDir, 'truststore'),
          INPUT_INSECUREREGISTRIES: registry.host,
        },
      });
      assert.match(r.stdout, /##vso\[task\.complete result=Succeeded;?\]/, r.stdout);
      assert.match(r.stdout, /##vso\[task\.setvariable variable=verified;[^\]]*\]true/);
    } finally {
      await dir.remove();
    }
  });
});
