import { lockoutPolicyOf, reachesLockout } from '../../domain/password-lockout';
import { claimProblem, parseSubject, signalLockdownReason, storable, strongestAction, subjectClaimOf } from '../../domain/signals';

/** The pure rules of lockdowns that start themselves: which lockout policy a login is judged by, and the checks of a received SET. */

describe('password lockout policy', () => {
  const on = (attempts: number | null, escalate = false) => ({ enabled: true, attempts, escalate });
  const off = { enabled: false, attempts: 3, escalate: true };

  it('when no brand turns it on, then it is off', () => {
    expect(lockoutPolicyOf({ brandId: 'b', setting: null }, { brandId: 'd', setting: null }, 10).enabled).toBe(false);
    expect(lockoutPolicyOf({ brandId: 'd', setting: off }, { brandId: 'd', setting: off }, 10).enabled).toBe(false);
  });

  it('when the brand names no number, then the configured default applies', () => {
    expect(lockoutPolicyOf({ brandId: 'd', setting: on(null) }, { brandId: 'd', setting: on(null) }, 7)).toEqual({ enabled: true, attempts: 7, escalate: false, brandId: 'd' });
  });

  it('when another brand serves the login, then it is never weaker than the default brand', () => {
    expect(lockoutPolicyOf({ brandId: 'b', setting: null }, { brandId: 'd', setting: on(5, true) }, 10)).toEqual({ enabled: true, attempts: 5, escalate: true, brandId: 'b' });
    expect(lockoutPolicyOf({ brandId: 'b', setting: on(8) }, { brandId: 'd', setting: on(5, true) }, 10)).toEqual({ enabled: true, attempts: 5, escalate: true, brandId: 'b' });
    expect(lockoutPolicyOf({ brandId: 'b', setting: on(3) }, { brandId: 'd', setting: null }, 10)).toEqual({ enabled: true, attempts: 3, escalate: false, brandId: 'b' });
  });

  it('locks at the threshold, not before', () => {
    const policy = lockoutPolicyOf({ brandId: 'd', setting: on(3) }, null, 10);
    expect([1, 2, 3, 4].map((failures) => reachesLockout(policy, failures))).toEqual([false, false, true, true]);
  });
});

describe('received SETs', () => {
  const limits = { issuer: 'https://idp.example', audience: 'https://us.example', nowSeconds: 1_000_000, maxAgeSeconds: 3600, futureSkewSeconds: 300 };
  const claims = { iss: 'https://idp.example', aud: 'https://us.example', jti: 'j-1', iat: 1_000_000, events: { 'urn:x': {} } };

  it('accepts a SET for this receiver', () => {
    expect(claimProblem(claims, limits)).toBeNull();
    expect(claimProblem({ ...claims, aud: ['other', 'https://us.example'] }, limits)).toBeNull();
  });

  it('names each problem with its RFC 8935 code', () => {
    expect(claimProblem({ ...claims, iss: 'https://evil.example' }, limits)?.err).toBe('invalid_issuer');
    expect(claimProblem({ ...claims, aud: 'https://someone-else.example' }, limits)?.err).toBe('invalid_audience');
    expect(claimProblem({ ...claims, jti: undefined }, limits)?.err).toBe('invalid_request');
    expect(claimProblem({ ...claims, jti: 'nul\u0000' }, limits)?.err).toBe('invalid_request');
    expect(claimProblem({ ...claims, iat: 1_000_000 - 3601 }, limits)?.description).toMatch(/too old/);
    expect(claimProblem({ ...claims, iat: 1_000_000 + 301 }, limits)?.description).toMatch(/future/);
    expect(claimProblem({ ...claims, events: {} }, limits)?.err).toBe('invalid_request');
  });

  it('reads subjects in the formats it maps, and the older RISC spelling', () => {
    expect(parseSubject({ format: 'email', email: 'a@b.example' })).toEqual({ format: 'email', email: 'a@b.example' });
    expect(parseSubject({ format: 'opaque', id: 'alice' })).toEqual({ format: 'opaque', id: 'alice' });
    expect(parseSubject({ subject_type: 'iss-sub', iss: 'https://idp', sub: 'alice' })).toEqual({ format: 'iss_sub', iss: 'https://idp', sub: 'alice' });
    expect(parseSubject({ format: 'phone_number', phone_number: '+1' })).toHaveProperty('problem');
    expect(parseSubject(undefined)).toHaveProperty('problem');
    expect(subjectClaimOf({ events: { 'urn:x': { subject: { format: 'opaque', id: 'bob' } } } })).toEqual({ format: 'opaque', id: 'bob' });
  });

  it('takes the strongest action of a SET’s events', () => {
    expect(strongestAction(['none', 'lockdown', 'alert'])).toBe('lockdown');
    expect(strongestAction(['none'])).toBe('none');
  });

  it('makes the lockdown’s reason from the event, storable whatever the transmitter sent', () => {
    const reason = signalLockdownReason('okta', ['credential-compromise'], [{ reason_admin: { en: 'Found in a\u0000 paste\ud800 site' } }]);
    expect(reason).toBe('Shared Signal from "okta": credential compromise (RISC): Found in a paste site');
    expect(storable('x'.repeat(300))).toHaveLength(256);
  });
});
