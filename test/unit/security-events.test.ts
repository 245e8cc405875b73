import { randomBytes } from 'node:crypto';
import { caepEventsOf, reasonAdmin, securityEventClaims, subjectIdFrom, subjectIdOf, type LockdownEventFacts } from '../../domain/security-events';
import { openSecret, sealSecret, sealedFor } from '../../lib/secret-box';

const event = (action: string, context: object): LockdownEventFacts => ({ id: 'event-1', action, context, createdAt: new Date('2026-11-28T10:00:00Z') });
const all = { deactivateUser: true, setUnusablePassword: true, deleteSessions: true, revokeTokens: true };

describe('caepEventsOf', () => {
  it('when a locked user had sessions deleted and the password made unusable, then both events', () => {
    expect(caepEventsOf(event('account_lockdown_triggered', { actions: all }))).toEqual(['session-revoked', 'credential-change']);
  });
  it('when the stage kept sessions, then no session-revoked; when it kept the password, no credential-change', () => {
    expect(caepEventsOf(event('account_lockdown_triggered', { actions: { ...all, deleteSessions: false } }))).toEqual(['credential-change']);
    expect(caepEventsOf(event('account_lockdown_triggered', { actions: { ...all, setUnusablePassword: false } }))).toEqual(['session-revoked']);
  });
  it('when a run stopped part-way, then only what its completed steps did', () => {
    expect(caepEventsOf(event('account_lockdown_failed', { actions: all, steps_run: ['deactivateUser', 'setUnusablePassword'] }))).toEqual(['credential-change']);
  });
  it('when the event is not a lockdown event, then nothing', () => {
    expect(caepEventsOf(event('user_activated', { actions: all }))).toEqual([]);
  });
});

describe('SET contents', () => {
  it('when the reason names an incident, then reason_admin does not carry it', () => {
    const claims = securityEventClaims({
      issuer: 'https://lockdown.example.test',
      audience: 'app',
      jti: 'jti-1',
      issuedAt: new Date('2026-11-28T10:00:05Z'),
      subject: { format: 'opaque', id: 'user-1' },
      eventName: 'credential-change',
      event: event('account_lockdown_triggered', { actions: all, reason: 'INC-4711 mallory', self_service: false }),
    });
    expect(JSON.stringify(claims)).not.toContain('INC-4711');
    expect(claims).toMatchObject({ iat: 1795860005, txn: 'event-1', sub_id: { format: 'opaque', id: 'user-1' } });
    expect(Object.values(claims.events)[0]).toMatchObject({ credential_type: 'password', change_type: 'revoke', initiating_entity: 'admin', event_timestamp: 1795860000 });
    expect(reasonAdmin(event('account_lockdown_triggered', { self_service: true }))).toEqual({ en: 'Account locked down by its owner.' });
  });
  it('when an email receiver meets a user without email, then no subject; a stored subject gets format first', () => {
    expect(subjectIdOf('email', { id: 'u', email: '' })).toBeNull();
    expect(subjectIdOf('opaque', { id: 'u', email: '' })).toEqual({ format: 'opaque', id: 'u' });
    expect(Object.keys(subjectIdFrom({ email: 'a@b.test', format: 'email' }))).toEqual(['format', 'email']);
  });
});

describe('secret box', () => {
  const keys = { currentKeyId: 'k1', keys: new Map([['k1', randomBytes(32)]]) };
  it('when sealed for one purpose, then it opens for that purpose only', () => {
    const sealed = sealSecret(keys, sealedFor.receiverAuthorization('r1'), 'Bearer secret');
    expect(sealed).not.toContain('secret');
    expect(openSecret(keys, sealedFor.receiverAuthorization('r1'), sealed)).toBe('Bearer secret');
    expect(() => openSecret(keys, sealedFor.receiverAuthorization('r2'), sealed)).toThrow(/does not open/);
  });
});
