import type { SignFailure, SignResult } from '../sign/sign.js';
import type { ImageVerification } from '../verify/verify.js';
import type { VerifyBaseResult } from '../verify-base/verify-base.js';
import type { CopyResult } from '../copy/copy.js';
import type { RepositoryMigration, TagOutcome } from '../migrate/dct.js';

/**
 * Markdown for the GitHub job summary and the Azure DevOps build summary: one row per image, verdict and
 * short digest first, details on a second line. Everything that comes from a registry, a certificate, an
 * envelope or the user goes through `literal`: shown as text, never as markdown or HTML.
 */

/**
 * Untrusted text as a code span: no emphasis, link, autolink or HTML is recognised inside one. The fence is
 * longer than any backtick run in the text; `|` is escaped because GFM splits table cells before inline parsing.
 */
export function literal(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  if (flat === '') return '';
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const short = (digest: string) => (digest ? literal(`${digest.slice(0, 19)}…`) : '—');
const lines = (...parts: (string | undefined)[]) => parts.filter(Boolean).join('<br>');
const STORED: Record<SignResult['storage'], string> = {
  existing: 'already there',
  'referrers-api': 'stored via the referrers API',
  'referrers-tag': 'stored via the referrers tag schema',
};
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function signSummary(results: SignResult[], failures: Omit<SignFailure, 'error'>[] = []): string {
  const total = results.length + failures.length;
  const rows = [
    ...results.map((r) =>
      row([
        r.storage === 'existing' ? '♻️ already signed' : '✅ signed',
        literal(r.signedReference.split('@')[0]!),
        short(r.signedDigest),
        lines(`signature ${short(r.signatureDigest)} ${STORED[r.storage]}`, `key ${literal(r.keyId)}`),
      ]),
    ),
    ...failures.map((f) => row(['❌ not signed', literal(f.image), short(f.signedReference?.split('@')[1] ?? ''), literal(f.reason)])),
  ];
  const title = failures.length === 0 ? `signed ${plural(total, 'image')}` : `${failures.length} of ${plural(total, 'image')} not signed`;
  return [`### notary-sign: ${title}`, '', '| verdict | image | digest | details |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

function verificationRow(r: ImageVerification, where?: string): string {
  const passing = r.signatures.find((s) => s.verified);
  const signer = passing?.signer ?? r.signatures[0]?.signer;
  return row([
    r.verified ? '✅ verified' : '❌ rejected',
    lines(literal(r.image), where),
    short(r.descriptor.digest),
    lines(signer ? `signer ${literal(signer)}` : undefined, literal(r.reason)),
  ]);
}

export function verifySummary(results: ImageVerification[], trust?: string): string {
  const failed = results.filter((r) => !r.verified).length;
  const title = failed === 0 ? `${plural(results.length, 'image')} verified` : `${failed} of ${plural(results.length, 'image')} rejected`;
  return [
    `### notary-sign: ${title}`,
    '',
    '| verdict | image | digest | details |',
    '| --- | --- | --- | --- |',
    ...results.map((r) => verificationRow(r)),
    '',
    ...(trust ? [`Trust: ${literal(trust)}`, ''] : []),
  ].join('\n');
}

export function verifyBaseSummary(base: VerifyBaseResult, opts: { trust?: string; pinOutput?: string }): string {
  const failed = base.images.filter((r) => !r.verified).length;
  const title =
    base.images.length === 0
      ? 'no external image'
      : failed === 0
        ? `${plural(base.images.length, 'base image')} verified`
        : `${failed} of ${plural(base.images.length, 'base image')} rejected`;
  const pinned = base.pinFailure
    ? `Pinned Dockerfile: not written: ${literal(base.pinFailure)}`
    : opts.pinOutput && base.pinnedDockerfile
      ? `Pinned Dockerfile: ${literal(opts.pinOutput)}`
      : undefined;
  return [
    `### notary-sign: ${title} in ${literal(base.dockerfile)}`,
    '',
    ...(base.images.length > 0
      ? [
          '| verdict | image | digest | details |',
          '| --- | --- | --- | --- |',
          ...base.images.map((r) => verificationRow(r, `line ${r.lines.map((l) => (l === 0 ? 'BUILDKIT_SYNTAX' : String(l))).join(', ')}`)),
          '',
        ]
      : []),
    ...(pinned ? [pinned, ''] : []),
    ...(opts.trust ? [`Trust: ${literal(opts.trust)}`, ''] : []),
  ].join('\n');
}

/** The summary of a run that stopped before any result (bad input, no sign-in): what stopped it. */
export function errorSummary(command: string, message: string): string {
  return [`### notary-sign ${command}: failed`, '', literal(message), ''].join('\n');
}

/** The copy: what went where, and each referrer (signature) carried along. */
export function copySummary(result: CopyResult | undefined, opts: { source: string; refused?: string }): string {
  if (!result)
    return [`### notary-sign: copy refused`, '', `${literal(opts.source)} did not verify: ${literal(opts.refused ?? '')}`, ''].join('\n');
  const copied = result.manifests.filter((m) => m.copied).length;
  return [
    `### notary-sign: ${result.upToDate ? 'already copied' : 'copied'} ${literal(result.source)}`,
    '',
    `To ${literal(result.destination)}: ${copied} manifest(s) and ${result.blobs.copied} blob(s) copied, ` +
      `${result.blobs.mounted} mounted, ${result.blobs.present} already there.`,
    '',
    ...(result.referrers.length > 0
      ? [
          '| referrer | type | of | copied |',
          '| --- | --- | --- | --- |',
          ...result.referrers.map((r) =>
            row([short(r.digest), literal(r.artifactType ?? '—'), short(r.subject), r.copied ? 'yes' : 'already there']),
          ),
          '',
        ]
      : ['No signature travels with it.', '']),
  ].join('\n');
}

const MIGRATION_VERDICT: Record<TagOutcome, string> = {
  migrated: '✅ migrated',
  'already-migrated': '♻️ already migrated',
  'would-migrate': '🔎 would migrate',
  moved: '⚠️ moved',
  missing: '⚠️ missing',
  failed: '❌ failed',
};

/** One table per repository: how its trust data verified, then every signed tag and what became of it. */
export function migrateSummary(repositories: RepositoryMigration[], dryRun: boolean): string {
  const out = [`### notary-sign: Docker Content Trust migration${dryRun ? ' (dry run: nothing signed)' : ''}`, ''];
  for (const r of repositories) {
    if (!r.verified) {
      out.push(`#### ❌ ${literal(r.gun)}: trust data not verified, nothing migrated`, '', literal(r.reason ?? ''), '');
      continue;
    }
    const trust = r.pinned ? 'root pinned' : 'root trusted on first use (not pinned)';
    const rootKeys = literal(r.rootKeyIds?.join(', ') ?? '');
    out.push(`#### ${literal(r.gun)}: root v${r.rootVersion} (${trust}, key ${rootKeys}), targets v${r.targetsVersion}`, '');
    const listed = r.tags.length + r.ignored.length;
    if (r.reason) out.push(`❌ ${literal(r.reason)}`, '');
    else if (listed === 0) out.push('No signed tags.', '');
    if (listed === 0) continue;
    out.push('| outcome | tag | DCT digest | details |', '| --- | --- | --- | --- |');
    for (const t of r.tags) {
      const details = lines(
        `${literal(t.role)} v${t.roleVersion}`,
        t.signatureDigest ? `signature ${short(t.signatureDigest)}` : undefined,
        t.reason ? literal(t.reason) : undefined,
      );
      out.push(row([MIGRATION_VERDICT[t.outcome], literal(t.tag), short(t.digest), details]));
    }
    for (const i of r.ignored) out.push(row(['⚠️ ignored', literal(i.tag), '—', literal(i.reason)]));
    out.push('');
  }
  return out.join('\n');
}
