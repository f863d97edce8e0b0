import { createHash } from 'node:crypto';

export const sha256Digest = (data: Uint8Array): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export function digestOf(data: Uint8Array, algorithm: string): string {
  const alg = algorithm === 'sha512' ? 'sha512' : 'sha256';
  return `${alg}:${createHash(alg).update(data).digest('hex')}`;
}

export const base64url = (data: Uint8Array | string): string =>
  Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');

const BASE64URL = /^[A-Za-z0-9_-]*$/;
/**
 * Strict, canonical base64url (no padding, no other alphabet, zero pad bits):
 * Buffer.from alone skips junk and accepts several spellings of one value.
 */
export function decodeBase64url(value: string): Buffer | undefined {
  if (!BASE64URL.test(value) || value.length % 4 === 1) return undefined;
  const buf = Buffer.from(value, 'base64url');
  return buf.toString('base64url') === value ? buf : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export function decodeBase64(value: string): Buffer | undefined {
  if (!BASE64.test(value)) return undefined;
  const buf = Buffer.from(value, 'base64');
  return buf.toString('base64') === value ? buf : undefined;
}

/** RFC 3339 UTC, whole seconds: the form the Notary Project asks for. */
export const rfc3339 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
export function parseRfc3339(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
