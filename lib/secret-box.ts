import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PayloadKeys } from './payload-keys';

/**
 * Secrets the service must use in clear later (a receiver's Authorization header, the SET
 * signing key, a connector's credential), stored in PostgreSQL sealed with AES-256-GCM under the current payload key
 * (LOCKDOWN_PAYLOAD_KEYS, which the API and every worker already share). A database dump
 * alone reveals none of them.
 *
 * Format: `v1.<key id>.<base64url of iv | ciphertext | tag>`. The key id and the purpose
 * (`context`, e.g. `ssf-receiver:<id>`) are authenticated, so a sealed value cannot be moved
 * to another row or purpose.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {}

/** The purposes secrets are sealed for. */
export const sealedFor = {
  /** A Shared Signals receiver's Authorization header: the API seals it, the worker opens it to push. */
  receiverAuthorization: (receiverId: string) => `ssf-receiver-authorization:${receiverId}`,
  /** The private half of a SET signing key. */
  signingKey: (kid: string) => `ssf-signing-key:${kid}`,
  /** A downstream connector's credential (Keycloak client secret, SCIM token): the API seals it, the worker opens it to call. */
  connectorCredential: (connectorId: string) => `connector-credential:${connectorId}`,
};

export function sealSecret(keys: PayloadKeys, context: string, plaintext: string): string {
  const keyId = keys.currentKeyId;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.keys.get(keyId)!, iv);
  cipher.setAAD(Buffer.from(`${keyId}\n${context}`));
  const sealed = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${keyId}.${sealed.toString('base64url')}`;
}

export function openSecret(keys: PayloadKeys, context: string, sealed: string): string {
  const [version, keyId, data] = sealed.split('.');
  if (version !== VERSION || !keyId || !data) throw new SecretBoxError('The sealed secret is not in a known format.');
  const key = keys.keys.get(keyId);
  // The message names the key id only, never the secret.
  if (!key) throw new SecretBoxError(`The secret was sealed with payload key "${keyId}", which is not configured (LOCKDOWN_PAYLOAD_KEYS).`);
  const bytes = Buffer.from(data, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(`${keyId}\n${context}`));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('The sealed secret does not open with its payload key (altered, or sealed for another purpose).');
  }
}
