import type { SignResult } from '../sign/sign.js';
import type { ImageVerification } from '../verify/verify.js';

/** Markdown for the GitHub job summary and the Azure DevOps build summary. */

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const short = (digest: string) => (digest ? `\`${digest.slice(0, 19)}…\`` : '—');

export function signSummary(results: SignResult[]): string {
  const rows = results.map((r) =>
    row([cell(r.signedReference.split('@')[0]!), short(r.signedDigest), short(r.signatureDigest), cell(r.keyId), r.storage]),
  );
  return [
    '### notary-sign: signed',
    '',
    '| image | digest | signature | key | stored via |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export function verifySummary(results: ImageVerification[], trust?: string): string {
  const rows = results.map((r) => {
    const passing = r.signatures.find((s) => s.verified);
    const verdict = r.verified ? '✅ verified' : '❌ failed';
    return row([
      cell(r.image),
      short(r.descriptor.digest),
      verdict,
      cell(passing?.signer ?? r.signatures[0]?.signer ?? '—'),
      cell(r.reason),
    ]);
  });
  return [
    '### notary-sign: verification',
    '',
    '| image | digest | verdict | signer | reason |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...(trust ? [`Trust: ${cell(trust)}`, ''] : []),
  ].join('\n');
}
