import { notificationPayload, notificationText, policyMatches, ruleTriggered } from '../../domain/notifications';

const lockdownEvent = { action: 'account_lockdown_triggered', clientIp: '10.0.0.7' };

describe('policyMatches', () => {
  it('when only the action is set, then any client IP matches', () => {
    expect(policyMatches({ action: 'account_lockdown_triggered', clientIp: null }, lockdownEvent)).toBe(true);
    expect(policyMatches({ action: 'login_failed', clientIp: null }, lockdownEvent)).toBe(false);
  });
  it('when both criteria are set, then both must match', () => {
    expect(policyMatches({ action: 'account_lockdown_triggered', clientIp: '10.0.0.7' }, lockdownEvent)).toBe(true);
    expect(policyMatches({ action: 'account_lockdown_triggered', clientIp: '10.0.0.8' }, lockdownEvent)).toBe(false);
    expect(policyMatches({ action: 'login_failed', clientIp: '10.0.0.7' }, lockdownEvent)).toBe(false);
  });
  it('when the event has no client IP, then a policy on client IP does not match', () => {
    expect(policyMatches({ action: null, clientIp: '10.0.0.7' }, { action: 'account_lockdown_triggered', clientIp: null })).toBe(false);
  });
  it('when an IPv4 client came through a dual-stack socket, then it matches its plain IPv4 address', () => {
    expect(policyMatches({ action: null, clientIp: '10.0.0.7' }, { action: 'x', clientIp: '::ffff:10.0.0.7' })).toBe(true);
  });
});

describe('ruleTriggered', () => {
  it('when any bound policy matches, then the rule triggers', () => {
    expect(ruleTriggered([{ action: 'login_failed', clientIp: null }, { action: 'account_lockdown_triggered', clientIp: null }], lockdownEvent)).toBe(true);
  });
  it('when no policy is bound, then the rule never triggers', () => {
    expect(ruleTriggered([], lockdownEvent)).toBe(false);
  });
});

describe('notificationText', () => {
  it('names the action, the affected user and the reason', () => {
    const payload = notificationPayload(
      {
        id: 'event-1',
        action: 'account_lockdown_triggered',
        context: { affected_user: 'alice', reason: 'phished' },
        actorSnapshot: { id: 'admin-id', username: 'admin' },
        clientIp: '10.0.0.7',
        lockdownId: 'lockdown-1',
        createdAt: new Date('2026-01-02T03:04:05Z'),
      },
      { name: 'security team', severity: 'alert' },
    );
    const { title, body } = notificationText(payload);
    expect(title).toBe('[alert] Account lockdown triggered: alice');
    expect(body).toContain('Actor: admin');
    expect(body).toContain('Reason: phished');
    expect(body).toContain('Lockdown: lockdown-1');
  });
});
