import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePayloadKey } from '../../lib/payload-keys';
import { log } from './log';

/**
 * The payload encryption keys of a long-lived local stack (`npm run dev`, `npm run cluster`):
 * the configured ones, else a key generated on the first start into the data directory
 * (mode 0600) — outside the repository, kept with the data it protects.
 */
export function ensurePayloadKeys(dataDir: string): Record<string, string> {
  if (process.env.LOCKDOWN_PAYLOAD_KEYS || process.env.LOCKDOWN_PAYLOAD_KEYS_FILE) return {};
  const file = path.join(dataDir, 'payload-keys');
  if (!existsSync(file)) {
    writeFileSync(file, `# Temporal payload encryption keys (id:base64key), the first encrypts. Keep with the data.\n${generatePayloadKey()}\n`, { mode: 0o600 });
    log(`Generated a payload encryption key into ${file}.`);
  }
  return { LOCKDOWN_PAYLOAD_KEYS_FILE: file };
}
