import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Db } from './db';
import type { PayloadKeys } from './payload-keys';
import { openSecret, sealSecret, sealedFor } from './secret-box';

/**
 * The key pair that signs Security Event Tokens. Kept in PostgreSQL, so every API (which
 * publishes the public half at /.well-known/jwks.json) and every worker (which signs) sees
 * the same key across restarts, with no set-up: the first process that needs a key makes
 * one, and the unique `current` column lets exactly one such insert win when several start
 * at once. The private half is sealed with the payload key (lib/secret-box.ts).
 *
 * Rotation is not automated: a key whose `current` is set to NULL stays published (receivers
 * can still verify what it signed) and the next process start makes and uses a new one.
 */
export const SET_SIGNING_ALGORITHM = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export class SsfSigningKeys {
  private signing: Promise<SigningKey> | undefined;

  constructor(
    private readonly db: Db,
    private readonly payloadKeys: () => PayloadKeys,
  ) {}

  /** The key that signs, loaded once per process (made on first use if there is none). */
  signingKey(): Promise<SigningKey> {
    this.signing ??= this.loadSigningKey().catch((err: unknown) => {
      this.signing = undefined; // a database hiccup must not stick
      throw err;
    });
    return this.signing;
  }

  /** Every published key's public half: the current one and those kept for verification. */
  async publicJwks(): Promise<{ keys: JWK[] }> {
    await this.ensureCurrentKey();
    const rows = await this.db.ssfSigningKey.findMany({ orderBy: [{ createdAt: 'desc' }, { kid: 'asc' }] });
    return { keys: rows.map((row) => row.publicJwk as JWK) };
  }

  private async loadSigningKey(): Promise<SigningKey> {
    const row = await this.ensureCurrentKey();
    const privateJwk = JSON.parse(openSecret(this.payloadKeys(), sealedFor.signingKey(row.kid), row.privateJwkSealed)) as JWK;
    return { kid: row.kid, privateKey: (await importJWK(privateJwk, row.algorithm)) as CryptoKey };
  }

  private async ensureCurrentKey() {
    const existing = await this.db.ssfSigningKey.findUnique({ where: { current: true } });
    if (existing) return existing;
    const { publicKey, privateKey } = await generateKeyPair(SET_SIGNING_ALGORITHM, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwkSealed = sealSecret(this.payloadKeys(), sealedFor.signingKey(kid), JSON.stringify(await exportJWK(privateKey)));
    // Another process may have made one meanwhile: its insert wins (unique `current`), ours is dropped.
    await this.db.ssfSigningKey.createMany({
      skipDuplicates: true,
      data: { kid, algorithm: SET_SIGNING_ALGORITHM, publicJwk: { ...publicJwk, kid, alg: SET_SIGNING_ALGORITHM, use: 'sig' }, privateJwkSealed, current: true },
    });
    return this.db.ssfSigningKey.findUniqueOrThrow({ where: { current: true } });
  }
}
