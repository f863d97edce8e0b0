import type { SignFailure, SignResult } from '../sign/sign.js';
import type { ImageVerification } from '../verify/verify.js';
import type { VerifyBaseResult } from '../verify-base/verify-base.js';
import type { Command } from './options.js';
import type { CopyResult } from '../copy/copy.js';
import type { RepositoryMigration } from '../migrate/dct.js';

/** One thing that failed (an image, a base image) and why, as data for every adapter to print. */
export interface Failure {
  subject: string;
  reason: string;
}

export interface RunReport {
  command: Command;
  ok: boolean;
  /** One line: why the step failed (headline, then each failure with its reason). */
  failure?: string;
  /** The failure's headline alone, e.g. "1 base image of Dockerfile failed verification". */
  headline?: string;
  failures: Failure[];
  signed?: SignResult[];
  /** Images a sign run did not sign (the others were signed). */
  notSigned?: Omit<SignFailure, 'error'>[];
  verified?: ImageVerification[];
  base?: VerifyBaseResult;
  copied?: CopyResult;
  migrated?: { dryRun: boolean; repositories: RepositoryMigration[] };
  /** Output name (kebab-case) → value. */
  outputs: Record<string, string>;
  /** Markdown for the job/build summary. */
  summary: string;
}

/** The report's failure fields from a headline and the failures behind it. */
export function failed(headline: string, failures: Failure[]): Pick<RunReport, 'failure' | 'headline' | 'failures'> {
  if (failures.length === 0) return { failures };
  // Reasons carry their own punctuation (parentheses, semicolons): number the items instead of wrapping them.
  const items =
    failures.length === 1
      ? `${failures[0]!.subject}: ${failures[0]!.reason}`
      : failures.map((f, i) => `[${i + 1}] ${f.subject}: ${f.reason}`).join(' ');
  return { headline, failures, failure: `${headline}: ${items}` };
}

const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** One line per image, tab-separated, verdict first: the CLI's text output and the CI logs. */
export function resultLines(report: RunReport): string[] {
  const out: string[] = [];
  for (const r of report.signed ?? [])
    out.push(`${r.storage === 'existing' ? 'REUSED' : 'SIGNED'}\t${r.signedReference}\tsignature ${r.signatureDigest}`);
  for (const f of report.notSigned ?? []) out.push(`FAILED\t${f.signedReference ?? f.image}\t${f.reason}`);
  for (const r of report.verified ?? []) out.push(`${mark(r.verified)}\t${r.reference}\t${r.reason}`);
  for (const r of report.base?.images ?? []) out.push(`${mark(r.verified)}\t${r.image}\t${r.reference}\t${r.reason}`);
  for (const r of report.migrated?.repositories ?? []) {
    if (r.reason) out.push(`${r.verified ? 'FAILED' : 'UNVERIFIABLE'}\t${r.gun}\t${r.reason}`);
    for (const t of r.tags) {
      const detail = t.signatureDigest ? `signature ${t.signatureDigest}` : (t.reason ?? '');
      out.push(`${t.outcome.toUpperCase()}\t${r.gun}:${t.tag}\t${t.digest}\t${detail}`);
    }
  }
  const c = report.copied;
  if (c) out.push(`${c.upToDate ? 'UP-TO-DATE' : 'COPIED'}\t${c.source}\t${c.destination}\t${c.referrers.length} referrer(s)`);
  return out;
}

/** The closing count, e.g. "verify: 2 verified, 1 rejected in 1.4 s". */
export function countsLine(report: RunReport, elapsedMs: number): string {
  const seconds = elapsedMs < 1000 ? `${Math.round(elapsedMs)} ms` : `${(elapsedMs / 1000).toFixed(1)} s`;
  const count = (n: number, word: string) => (n > 0 ? [`${n} ${word}`] : []);
  const verdicts = (list: { verified: boolean }[]) => [
    ...count(list.filter((r) => r.verified).length, 'verified'),
    ...count(list.filter((r) => !r.verified).length, 'rejected'),
  ];
  if (report.copied) {
    const manifests = report.copied.manifests.filter((m) => m.copied).length;
    return `copy: ${manifests} manifest(s) and ${report.copied.blobs.copied} blob(s) copied in ${seconds}`;
  }
  if (report.migrated) {
    const { repositories } = report.migrated;
    const tags = repositories.flatMap((r) => r.tags);
    const outcomes = [...new Set(tags.map((t) => t.outcome))].map((o) => `${tags.filter((t) => t.outcome === o).length} ${o}`);
    const parts = [...outcomes, ...count(repositories.filter((r) => !r.verified).length, 'unverifiable')];
    return `migrate-dct: ${parts.length > 0 ? parts.join(', ') : 'no signed tag'} in ${seconds}`;
  }
  const parts = report.signed
    ? [
        ...count(report.signed.filter((r) => r.storage !== 'existing').length, 'signed'),
        ...count(report.signed.filter((r) => r.storage === 'existing').length, 'already signed'),
        ...count(report.notSigned?.length ?? 0, 'not signed'),
      ]
    : verdicts(report.verified ?? report.base?.images ?? []);
  return `${report.command}: ${parts.length > 0 ? parts.join(', ') : 'no image'} in ${seconds}`;
}
