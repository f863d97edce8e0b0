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
