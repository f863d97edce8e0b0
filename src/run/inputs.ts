import { NotarySignError } from '../errors.js';
import type { ReferrersMode } from '../registry/referrers.js';

/**
 * Parsing shared by the CLI and both CI adapters, so an input means the same
 * thing everywhere. Each error names the input it came from.
 */

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90m`, `24h`, `30d`, `1w2d`: a positive duration in milliseconds. */
export function parseDuration(value: string, input: string): number {
  const text = value.trim();
  const re = /(\d+)([smhdw])/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (text === '' || consumed !== text.length || total <= 0 || !Number.isSafeInteger(total)) {
    throw new NotarySignError('INPUT', `${input}: "${value}" is not a duration; use a number with s, m, h, d or w, e.g. 30d or 12h`);
  }
  return total;
}

/** Items separated by newlines or commas; blank items and `#` comments dropped. */
export function parseList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

/** `key=value` items (newline or comma separated, or given as an array). */
export function parseKeyValues(value: string | readonly string[] | undefined, input: string): Record<string, string> {
  const items = Array.isArray(value) ? value.flatMap((v) => parseList(v)) : parseList(value as string | undefined);
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw new NotarySignError('INPUT', `${input}: "${item}" is not key=value`);
    const key = item.slice(0, i).trim();
    if (key in out) throw new NotarySignError('INPUT', `${input}: key "${key}" is given twice`);
    out[key] = item.slice(i + 1);
  }
  return out;
}

export function parseReferrersMode(value: string | undefined, input = 'referrers'): ReferrersMode {
  const v = (value ?? '').trim() || 'auto';
  if (v === 'auto' || v === 'api' || v === 'tag') return v;
  throw new NotarySignError('INPUT', `${input}: "${value}" is not one of auto, api, tag`);
}

const HOST = /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?$/;
export function parseInsecureRegistries(values: readonly string[], input = 'insecure-registries'): string[] {
  const out = values.flatMap((v) => parseList(v));
  for (const host of out) {
    if (!HOST.test(host)) throw new NotarySignError('INPUT', `${input}: "${host}" is not a host[:port] (no scheme, no path)`);
  }
  return out;
}
