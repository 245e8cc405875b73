import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** What `lockdown login` keeps: the API it logged in to and the session key (a secret: file mode 0600). */
export interface StoredSession {
  url: string;
  username: string;
  sessionKey: string;
  expiresAt: string;
}

/** $LOCKDOWN_CONFIG_DIR, else the XDG config directory (~/.config/account-lockdown). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOCKDOWN_CONFIG_DIR) return path.resolve(env.LOCKDOWN_CONFIG_DIR);
  const base = env.XDG_CONFIG_HOME || path.join(homedir(), '.config');
  return path.join(base, 'account-lockdown');
}

export const sessionFile = () => path.join(configDir(), 'session.json');

export function readSession(): StoredSession | null {
  try {
    return JSON.parse(readFileSync(sessionFile(), 'utf8')) as StoredSession;
  } catch {
    return null;
  }
}

export function writeSession(session: StoredSession): string {
  const file = sessionFile();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written with 0600 from the first byte; chmod too, in case the file existed with wider bits.
  writeFileSync(file, JSON.stringify(session, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function deleteSession(): void {
  rmSync(sessionFile(), { force: true });
}
