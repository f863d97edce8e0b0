import {
  generateKeyPair,
  SignJWT,
  jwtVerify,
  exportJWK,
  type JWTPayload,
  type CryptoKey as JoseKey,
  type KeyObject as JoseKeyObject,
} from 'jose';
import { randomUUID } from 'node:crypto';

type Key = JoseKey | JoseKeyObject;

/** An issuer of real RS256 JWTs, with the public key others verify them by. */
export class JwtIssuer {
  private constructor(
    readonly issuer: string,
    readonly kid: string,
    private readonly privateKey: Key,
    readonly publicKey: Key,
  ) {}

  static async create(issuer: string): Promise<JwtIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return new JwtIssuer(issuer, randomUUID(), privateKey, publicKey);
  }

  readonly issued: string[] = [];

  async sign(claims: JWTPayload, lifetimeSeconds = 3600, now = Math.floor(Date.now() / 1000)): Promise<string> {
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(this.issuer)
      .setIssuedAt(now)
      .setNotBefore(now - 60)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
    this.issued.push(token);
    return token;
  }

  verify(token: string, audience: string) {
    return jwtVerify(token, this.publicKey, { issuer: this.issuer, audience, algorithms: ['RS256'] });
  }

  async jwks() {
    return { keys: [{ ...(await exportJWK(this.publicKey)), kid: this.kid, use: 'sig', alg: 'RS256' }] };
  }
}
