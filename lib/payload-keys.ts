import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The AES-256 keys that encrypt Temporal payloads. Configured as `id:base64key` entries —
 * comma-separated in LOCKDOWN_PAYLOAD_KEYS, or one a line in the file LOCKDOWN_PAYLOAD_KEYS_FILE.
 * The first key encrypts; every listed key decrypts, so a key is rotated by putting a new
 * one first and keeping the old one until no history needs it.
 */
export interface PayloadKeys {
  currentKeyId: string;
  keys: Map<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export class PayloadKeyError extends Error {}

export function parsePayloadKeys(text: string, source: string): PayloadKeys {
  const entries = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new PayloadKeyError(`${source} has no key.`);
  const keys = new Map<string, Buffer>();
  for (const entry of entries) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (separator < 1 || !KEY_ID.test(id)) throw new PayloadKeyError(`${source}: each key is "id:base64key", with an id of letters, digits, ".", "_" or "-".`);
    if (key.length !== 32) throw new PayloadKeyError(`${source}: key "${id}" is ${key.length} bytes; AES-256 needs 32 (base64 of 32 random bytes).`);
    if (keys.has(id)) throw new PayloadKeyError(`${source}: key id "${id}" appears twice.`);
    keys.set(id, key);
  }
  return { currentKeyId: entries[0].slice(0, entries[0].indexOf(':')), keys };
}

export function loadPayloadKeys(env: { LOCKDOWN_PAYLOAD_KEYS?: string; LOCKDOWN_PAYLOAD_KEYS_FILE?: string }): PayloadKeys {
  if (env.LOCKDOWN_PAYLOAD_KEYS) return parsePayloadKeys(env.LOCKDOWN_PAYLOAD_KEYS, 'LOCKDOWN_PAYLOAD_KEYS');
  if (env.LOCKDOWN_PAYLOAD_KEYS_FILE) {
    let text: string;
    try {
      text = readFileSync(env.LOCKDOWN_PAYLOAD_KEYS_FILE, 'utf8');
    } catch (err) {
      throw new PayloadKeyError(`LOCKDOWN_PAYLOAD_KEYS_FILE: cannot read ${env.LOCKDOWN_PAYLOAD_KEYS_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
    return parsePayloadKeys(text, `LOCKDOWN_PAYLOAD_KEYS_FILE (${env.LOCKDOWN_PAYLOAD_KEYS_FILE})`);
  }
  throw new PayloadKeyError(
    'No payload encryption key: set LOCKDOWN_PAYLOAD_KEYS="<id>:<base64 of 32 random bytes>" or LOCKDOWN_PAYLOAD_KEYS_FILE. ' +
      'Generate one with: echo "key-$(date +%Y%m%d):$(openssl rand -base64 32)"',
  );
}

/** A new key entry, `id:base64key`. */
export function generatePayloadKey(id = `key-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
