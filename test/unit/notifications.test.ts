import { notificationPayload, notificationText, policyMatches, ruleDelivers, ruleTriggered, summaryStandsFor, type LockdownSummaryContext } from '../../domain/notifications';

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
      'https://lockdown.example/',
    );
    const { title, body } = notificationText(payload);
    expect(title).toBe('[alert] Account lockdown triggered: alice');
    expect(body).toContain('Actor: admin');
    expect(body).toContain('Reason: phished');
    expect(body).toContain('Lockdown: lockdown-1');
    expect(payload.link).toBe('https://lockdown.example/lockdowns/lockdown-1');
  });

  it('says a whole lockdown in one message: who asked, why, the counts, the failures, the link', () => {
    const context: LockdownSummaryContext = {
      lockdown_id: 'lockdown-2',
      status: 'completed',
      reason: 'phishing wave',
      requested_by: { id: 'admin-id', username: 'admin' },
      self_service: false,
      includes_caller: false,
      target_count: 300,
      locked: 298,
      failed: 2,
      cancelled: 0,
      contained: 300,
      failures: [{ username: 'bob', error: 'database refused' }],
      per_user_events: { account_lockdown_triggered: 298, account_lockdown_failed: 2 },
    };
    const payload = notificationPayload(
      { id: 'event-2', action: 'account_lockdown_finished', context, actorSnapshot: { id: 'admin-id', username: 'admin' }, clientIp: null, lockdownId: 'lockdown-2', createdAt: new Date() },
      { name: 'soc', severity: 'alert' },
      'https://lockdown.example',
    );
    const { title, body } = notificationText(payload);
    expect(title).toBe('[alert] Lockdown completed — 300 users: 298 locked, 2 failed');
    expect(body.split('\n')[0]).toBe('admin locked down 300 users: 298 locked, 2 failed; contained 300/300. Reason: phishing wave');
    expect(body).toContain('  bob: database refused');
    expect(body).toContain('  … and 1 more (see the lockdown)');
    expect(body).toContain('Link: https://lockdown.example/lockdowns/lockdown-2');
  });
});

describe('ruleDelivers: one alert per lockdown unless a rule asks for one per user', () => {
  const onTriggered = [{ action: 'account_lockdown_triggered', clientIp: null }];
  const perUserEvent = { action: 'account_lockdown_triggered', clientIp: '10.0.0.7', standsFor: [] };
  const summary = { action: 'account_lockdown_finished', clientIp: '10.0.0.7', summarized: false, standsFor: summaryStandsFor('account_lockdown_finished', { per_user_events: { account_lockdown_triggered: 300 } }) };

  it('when the lockdown sends a summary, then its per-user events reach only per-user rules, and its summary the per-lockdown rules', () => {
    expect(ruleDelivers({ alertPer: 'lockdown', policies: onTriggered }, { ...perUserEvent, summarized: true })).toBe(false);
    expect(ruleDelivers({ alertPer: 'user', policies: onTriggered }, { ...perUserEvent, summarized: true })).toBe(true);
    expect(ruleDelivers({ alertPer: 'lockdown', policies: onTriggered }, summary)).toBe(true);
    expect(ruleDelivers({ alertPer: 'user', policies: onTriggered }, summary)).toBe(false);
  });
  it('when a lockdown sends no summary (started before v1.1.0), then its per-user events alert every rule as before', () => {
    expect(ruleDelivers({ alertPer: 'lockdown', policies: onTriggered }, { ...perUserEvent, summarized: false })).toBe(true);
  });
  it('when a policy names the summary itself, or no action, then the summary reaches the rule whatever it alerts per', () => {
    expect(ruleDelivers({ alertPer: 'user', policies: [{ action: 'account_lockdown_finished', clientIp: null }] }, summary)).toBe(true);
    expect(ruleDelivers({ alertPer: 'user', policies: [{ action: null, clientIp: '10.0.0.7' }] }, summary)).toBe(true);
  });
  it('when the summary stands for no event the policy asks about, then it does not alert', () => {
    expect(ruleDelivers({ alertPer: 'lockdown', policies: [{ action: 'account_lockdown_failed', clientIp: null }] }, summary)).toBe(false);
    expect(ruleDelivers({ alertPer: 'lockdown', policies: [{ action: 'account_lockdown_triggered', clientIp: '10.9.9.9' }] }, summary)).toBe(false);
  });
});
