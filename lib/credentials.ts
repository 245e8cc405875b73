import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

/**
 * Secrets handling in one place: keys are random and stored only as sha256 digests;
 * passwords are stored only as argon2id hashes.
 */

/** A password hash that can never verify (Django's convention: starts with "!"). */
const UNUSABLE_PREFIX = '!';

export function generateKey(): string {
  return randomBytes(32).toString('base64url');
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether a session or token expiry has passed; `null` never expires. */
export function isExpired(expiresAt: Date | null): boolean {
  return expiresAt !== null && expiresAt <= new Date();
}

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password);
}

export function unusablePasswordHash(): string {
  return UNUSABLE_PREFIX + randomBytes(24).toString('base64url');
}

export function isUsablePasswordHash(passwordHash: string | null): passwordHash is string {
  return passwordHash !== null && !passwordHash.startsWith(UNUSABLE_PREFIX);
}

// Verified when a user has no usable password, so every failed login costs the same time.
let decoyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. Unknown users, unusable passwords and wrong
 * passwords all take one argon2 verification, so timing does not reveal which it was.
 */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!isUsablePasswordHash(passwordHash)) {
    decoyHash ??= argon2Hash(randomBytes(16).toString('hex'));
    await argon2Verify(await decoyHash, password).catch(() => false);
    return false;
  }
  return argon2Verify(passwordHash, password).catch(() => false);
}
