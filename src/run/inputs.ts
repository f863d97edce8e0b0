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

/**
 * Splitting rules, one per kind of list input (as actions-toolkit's getInputList
 * with and without ignoreComma): references and hosts split on newlines and
 * commas, which never occur inside one; key=value inputs split on newlines
 * only, because a value may hold commas. Blank items and `#` comments are dropped.
 */
const items = (value: string | undefined, separator: RegExp) =>
  (value ?? '')
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));

/** Image references, hosts and IDs: newline or comma separated, in one multi-line input or in each item given. */
export const parseList = (value: string | readonly string[] | undefined): string[] =>
  typeof value === 'string' || value === undefined ? items(value, /[\n,]/) : value.flatMap((v) => items(v, /[\n,]/));

/** `key=value` items: one per line of a multi-line input, or the items of a repeated CLI option as given. */
export function parseKeyValues(value: string | readonly string[] | undefined, input: string): Record<string, string> {
  const list = typeof value === 'string' || value === undefined ? items(value, /\r?\n/) : value.map((v) => v.trim()).filter(Boolean);
  const out: Record<string, string> = {};
  for (const item of list) {
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
  const out = parseList(values);
  for (const host of out) {
    if (!HOST.test(host)) throw new NotarySignError('INPUT', `${input}: "${host}" is not a host[:port] (no scheme, no path)`);
  }
  return out;
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9.]+)?$/;

/** `os/arch[/variant]`, as Docker's --platform (linux/amd64, linux/arm64/v8). */
export function parsePlatform(value: string, input: string): string {
  const text = value.trim().toLowerCase();
  if (!PLATFORM.test(text))
    throw new NotarySignError('INPUT', `${input}: "${value}" is not os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`);
  return text;
}

/** A CI boolean input: true or false in any case, empty for the default; anything else ("yes") is refused. */
export function parseBoolean(value: string | undefined, input: string, fallback = false): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new NotarySignError('INPUT', `${input}: "${value}" is not true or false`);
}
