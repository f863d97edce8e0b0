import type { SignResult } from '../sign/sign.js';
import type { ImageVerification } from '../verify/verify.js';
import type { VerifyBaseResult } from '../verify-base/verify-base.js';
import type { Command } from './options.js';

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
  verified?: ImageVerification[];
  base?: VerifyBaseResult;
  /** Output name (kebab-case) → value. */
  outputs: Record<string, string>;
  /** Markdown for the job/build summary. */
  summary: string;
}

/** The report's failure fields from a headline and the failures behind it. */
export function failed(headline: string, failures: Failure[]): Pick<RunReport, 'failure' | 'headline' | 'failures'> {
  if (failures.length === 0) return { failures };
  return { headline, failures, failure: `${headline}: ${failures.map((f) => `${f.subject} (${f.reason})`).join('; ')}` };
}
