import { webcrypto } from 'node:crypto';

/** pkijs with Node's WebCrypto as its engine, loaded on first use (it is heavy). */
let loaded: Promise<typeof import('pkijs')> | undefined;
export function loadPkijs(): Promise<typeof import('pkijs')> {
  loaded ??= import('pkijs').then((pkijs) => {
    pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));
    return pkijs;
  });
  return loaded;
}

/** asn1js, loaded on first use: the same instance pkijs parses with, in the bundle's vendor build. */
export const loadAsn1js = (): Promise<typeof import('asn1js')> => import('asn1js');
