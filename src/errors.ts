/**
 * One error type for everything the user can act on. `code` tells adapters and
 * tests which class of failure it is; `message` is a single line naming the
 * input at fault and what to do about it. Anything else thrown is a bug.
 */
export type ErrorCode =
  | 'INPUT' // a bad option, file, or reference
  | 'KEY' // key or certificate unusable for signing, or the signing service failed
  | 'NOT_FOUND' // image, tag, or blob absent
  | 'AUTH' // registry or cloud authentication/authorisation failed
  | 'NETWORK' // could not reach a host
  | 'REGISTRY' // registry answered with something we cannot use
  | 'TIMESTAMP' // the RFC 3161 TSA failed or its token is unusable
  | 'POLICY' // trust policy or trust store invalid
  | 'TRUST_DATA'; // Docker Content Trust (TUF) data absent, unverifiable, expired or tampered

export class NotarySignError extends Error {
  override readonly name = 'NotarySignError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const fail = (code: ErrorCode, message: string, cause?: unknown): never => {
  throw new NotarySignError(code, message, cause === undefined ? undefined : { cause });
};

/** The one-line text an adapter prints for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof NotarySignError) return err.message;
  if (err instanceof Error) return `unexpected error: ${err.message}`;
  return `unexpected error: ${String(err)}`;
}
