import type { RevocationChecker, RevocationOptions } from './revocation.js';

export type { RevocationOptions };

/**
 * A run's revocation settings. The checker, and the OCSP/CRL modules behind it, are loaded on first need (most
 * chains name no endpoint) and then shared by every signature of the run, so each CRL is fetched once.
 */
export class Revocation {
  private checker?: Promise<RevocationChecker>;

  constructor(readonly options: RevocationOptions = {}) {}

  get(): Promise<RevocationChecker> {
    return (this.checker ??= import('./revocation.js').then((m) => new m.RevocationChecker(this.options)));
  }
}
