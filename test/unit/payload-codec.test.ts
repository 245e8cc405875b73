import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, UnknownPayloadKeyError } from '../../lib/payload-codec';
import { generatePayloadKey, loadPayloadKeys, parsePayloadKeys, PayloadKeyError } from '../../lib/payload-keys';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

describe('payload codec', () => {
  const payload = defaultPayloadConverter.toPayload({ reason: 'phished', username: 'mallory', clientIp: '203.0.113.7' });

  it('when a payload is encoded, then nothing of it is readable and the key id is in the metadata; decoding gives it back', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(generatePayloadKey('k1'), 'test'));
    const [encrypted] = await codec.encode([payload]);
    expect(text(encrypted.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted.metadata?.['encryption-key-id'])).toBe('k1');
    for (const secret of ['phished', 'mallory', '203.0.113.7', 'json/plain']) expect(Buffer.from(encrypted.data!).includes(secret)).toBe(false);
    const [decoded] = await codec.decode([encrypted]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual({ reason: 'phished', username: 'mallory', clientIp: '203.0.113.7' });
  });

  it('when keys are rotated, then the new first key encrypts and the old one still decrypts', async () => {
    const [oldKey, newKey] = [generatePayloadKey('old'), generatePayloadKey('new')];
    const [before] = await new AesGcmPayloadCodec(parsePayloadKeys(oldKey, 'test')).encode([payload]);
    const rotated = new AesGcmPayloadCodec(parsePayloadKeys(`${newKey},${oldKey}`, 'test'));
    const [after] = await rotated.encode([payload]);
    expect(text(after.metadata?.['encryption-key-id'])).toBe('new');
    expect((await rotated.decode([before, after])).map((clear) => defaultPayloadConverter.fromPayload(clear))).toEqual([
      defaultPayloadConverter.fromPayload(payload),
      defaultPayloadConverter.fromPayload(payload),
    ]);
    await expect(new AesGcmPayloadCodec(parsePayloadKeys(newKey, 'test')).decode([before])).rejects.toThrow(UnknownPayloadKeyError);
  });

  it('when a payload was not encrypted (older histories), then it passes through unchanged; a tampered one is refused', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(generatePayloadKey('k1'), 'test'));
    expect(await codec.decode([payload])).toEqual([payload]);
    const [encrypted] = await codec.encode([payload]);
    const tampered = Buffer.from(encrypted.data!);
    tampered[20] ^= 1;
    await expect(codec.decode([{ ...encrypted, data: tampered }])).rejects.toThrow();
  });

  it('when keys are configured badly, then the error names the setting and the problem', () => {
    expect(() => loadPayloadKeys({})).toThrow(/LOCKDOWN_PAYLOAD_KEYS/);
    expect(() => parsePayloadKeys('k1:' + randomBytes(16).toString('base64'), 'LOCKDOWN_PAYLOAD_KEYS')).toThrow(/16 bytes; AES-256 needs 32/);
    expect(() => parsePayloadKeys('no-separator', 'LOCKDOWN_PAYLOAD_KEYS')).toThrow(PayloadKeyError);
    expect(() => parsePayloadKeys(`${generatePayloadKey('a')},${generatePayloadKey('a')}`, 'X')).toThrow(/appears twice/);
  });

  it('when keys come from a file with comments (commas included), then the first key encrypts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'payload-keys-'));
    try {
      const file = path.join(dir, 'keys');
      writeFileSync(file, `# keys, newest first: id:base64key\n${generatePayloadKey('k2')}\n${generatePayloadKey('k1')}\n`);
      const keys = loadPayloadKeys({ LOCKDOWN_PAYLOAD_KEYS_FILE: file });
      expect(keys.currentKeyId).toBe('k2');
      expect([...keys.keys.keys()]).toEqual(['k2', 'k1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
