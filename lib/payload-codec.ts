import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKeys } from './payload-keys';

/**
 * Encrypts every Temporal payload (workflow and activity arguments and results, update and
 * signal values, memos, failure details) with AES-256-GCM, so the Temporal cluster stores
 * no reason, username, client IP or prompt value in clear. Following Temporal's
 * data-encryption guide: the whole payload (metadata and data) is serialised and encrypted,
 * and the key id travels in the outer payload's metadata.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export class UnknownPayloadKeyError extends Error {}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keys.currentKeyId;
    const key = this.keys.keys.get(keyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(keyId)); // the key id cannot be swapped without failing decryption
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const encrypted = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) }, data: encrypted };
    });
  }

  /** Payloads that are not encrypted (histories recorded before encryption) pass through unchanged. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.keys.keys.get(keyId);
      if (!key) throw new UnknownPayloadKeyError(`Payload encrypted with key "${keyId}", which is not configured (LOCKDOWN_PAYLOAD_KEYS).`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
