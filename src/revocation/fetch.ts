import { constants, verify, type KeyObject } from 'node:crypto';
import { NotarySignError } from '../errors.js';
import type { Logger } from '../log.js';
import { failureCode, httpFetch, NetworkFailure, readBody } from '../util/http.js';

/** Why a revocation source gave no answer: the status is then unknown (notation: "revocation unavailable"). */
export class Unavailable extends Error {
  override readonly name = 'Unavailable';
}

export interface FetchOptions {
  timeoutMs: number;
  limit: number;
  /** What is fetched, for messages ("the CRL"). */
  what?: string;
  logger: Logger;
  onRequest?: (url: URL) => void;
}

/**
 * One request to a URL a certificate names: http or https only, no credentials in it, no redirect to follow
 * (a responder answers itself), one total timeout, a size limit. Every failure becomes an `Unavailable` that
 * says what happened in words.
 */
export async function fetchRevocationData(
  url: string,
  { method = 'GET', body, contentType }: { method?: 'GET' | 'POST'; body?: Uint8Array; contentType?: string },
  opts: FetchOptions,
): Promise<Buffer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new Unavailable(`"${url}" is not a URL`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new Unavailable(`${target.protocol} URLs are not supported (http only)`);
  if (target.username || target.password) throw new Unavailable('the URL carries credentials; refused');
  try {
    const res = await httpFetch(
      target,
      { method, ...(body ? { body } : {}), headers: { ...(contentType ? { 'content-type': contentType } : {}), accept: '*/*' } },
      { timeoutMs: opts.timeoutMs, logger: opts.logger, redirect: 'error', ...(opts.onRequest ? { onAttempt: opts.onRequest } : {}) },
    );
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel();
      throw new Unavailable(`answered HTTP ${res.status}`);
    }
    return await readBody(res, { limit: opts.limit, what: opts.what ?? 'the response', code: 'NETWORK' });
  } catch (err) {
    if (err instanceof Unavailable) throw err;
    if (err instanceof NotarySignError) throw new Unavailable(err.message);
    const code = err instanceof NetworkFailure ? err.code : failureCode(err);
    throw new Unavailable(code === 'timeout' ? `no answer within ${opts.timeoutMs / 1000} s` : `unreachable (${code})`);
  }
}

// Signature algorithms accepted on OCSP responses and CRLs: SHA-2 with RSA (PKCS #1 v1.5) or ECDSA, as Go's
// crypto/x509 CheckSignature accepts them for notation (SHA-1 is refused there as insecure).
const SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** Whether `signature` over `data` verifies with `key` under the algorithm `oid`; a string says why it cannot be checked. */
export function verifiesWith(
  oid: string,
  { data, signature, key }: { data: Uint8Array; signature: Uint8Array; key: KeyObject },
): boolean | string {
  const hash = SIGNATURES[oid];
  if (!hash) return `signature algorithm ${oid} is not accepted (SHA-256/384/512 with RSA or ECDSA)`;
  try {
    return verify(hash, data, key.asymmetricKeyType === 'rsa' ? { key, padding: constants.RSA_PKCS1_PADDING } : key, signature);
  } catch {
    return false;
  }
}
