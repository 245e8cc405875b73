import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { classifyFailure, isTransientError, publicMessage } from '../../activities/failures';
import { isProtectedAccount, logsInWithPassword, mayAuthenticate } from '../../domain/accounts';
import { invalidFields, missingRequiredFields, unrecordableText } from '../../domain/prompt';
import {
  LOCKDOWN_ACTIONS,
  LOCKDOWN_ACTION_KEYS,
  LOCKDOWN_COUNTERS,
  actionsWith,
  countsContext,
  restoreSteps,
  warningList,
  withRevocationOnDeactivation,
} from '../../domain/lockdown-actions';
import { DEACTIVATION_ACTIONS } from '../../domain/deactivation';
import { RESULT_SORTS } from '../../domain/lockdown-results';
import { finalStatus, progressFrom } from '../../domain/lockdown-status';
import { bindingApplies, isStageKind } from '../../domain/stages';
import { loadConfig } from '../../lib/config';
import { SELF_SERVICE_FAILURE_TITLE, answerWhen, selfServiceEnding, showsResultsPrompt } from '../../domain/self-service';
import { EMPTY_TARGETS_MESSAGE, resolveTargets } from '../../domain/targets';
import { renderTemplate, type PromptContext } from '../../domain/templates';
import type { AccountLockdownStageSnapshot, PromptStageSnapshot } from '../../domain/stages';

describe('resolveTargets', () => {
  it('when no target is named, then the caller locks themself', () => {
    expect(resolveTargets({}, 'me')).toEqual({ ok: true, targetIds: ['me'], selfService: true, bulk: false });
  });
  it('when the only target is the caller, then it is self-service', () => {
    expect(resolveTargets({ user: 'me' }, 'me')).toMatchObject({ selfService: true, bulk: false });
  });
  it('when a list repeats ids, then they are deduplicated in first-seen order', () => {
    expect(resolveTargets({ users: ['b', 'a', 'b', 'c', 'a'] }, 'me')).toMatchObject({ targetIds: ['b', 'a', 'c'], bulk: true, selfService: false });
  });
  it('when a list includes the caller, then the whole run is self-service', () => {
    expect(resolveTargets({ users: ['a', 'me'] }, 'me')).toMatchObject({ selfService: true, bulk: true });
  });
  it('when both are given, then the list wins', () => {
    expect(resolveTargets({ user: 'a', users: ['b'] }, 'me')).toMatchObject({ targetIds: ['b'] });
  });
  it('when the list is empty, then it is refused', () => {
    expect(resolveTargets({ users: [] }, 'me')).toEqual({ ok: false, message: EMPTY_TARGETS_MESSAGE });
  });
});

describe('protected accounts', () => {
  it('the anonymous user and internal service accounts are protected; others are not', () => {
    expect(isProtectedAccount({ username: 'AnonymousUser', type: 'internal' })).toBe(true);
    expect(isProtectedAccount({ username: 'ak-outpost', type: 'internal_service_account' })).toBe(true);
    expect(isProtectedAccount({ username: 'robot', type: 'service_account' })).toBe(false);
    expect(isProtectedAccount({ username: 'alice', type: 'internal' })).toBe(false);
  });
  it('service accounts and the anonymous user never log in with a password; the anonymous user authenticates nothing', () => {
    expect(logsInWithPassword({ username: 'alice', type: 'internal' })).toBe(true);
    expect(logsInWithPassword({ username: 'partner', type: 'external' })).toBe(true);
    expect(logsInWithPassword({ username: 'robot', type: 'service_account' })).toBe(false);
    expect(logsInWithPassword({ username: 'ak-outpost', type: 'internal_service_account' })).toBe(false);
    expect(logsInWithPassword({ username: 'AnonymousUser', type: 'internal' })).toBe(false);
    expect(mayAuthenticate({ username: 'robot', type: 'service_account', isActive: true })).toBe(true);
    expect(mayAuthenticate({ username: 'alice', type: 'internal', isActive: false })).toBe(false);
    expect(mayAuthenticate({ username: 'AnonymousUser', type: 'internal', isActive: true })).toBe(false);
  });
});

describe('binding conditions', () => {
  it('admin_only shows for admin runs, self_service_only for self-service, always for both', () => {
    expect([bindingApplies('admin_only', false), bindingApplies('admin_only', true)]).toEqual([true, false]);
    expect([bindingApplies('self_service_only', false), bindingApplies('self_service_only', true)]).toEqual([false, true]);
    expect([bindingApplies('always', false), bindingApplies('always', true)]).toEqual([true, true]);
  });
});

describe('self-service ending', () => {
  const stage: AccountLockdownStageSnapshot = {
    kind: 'account_lockdown',
    name: 's',
    actions: actionsWith(),
    selfServiceMessageTitle: 'Locked',
    selfServiceMessage: 'Call us',
    completionFlowSlug: 'done',
  };
  const allLocked = progressFrom({ total: 2, locked: 2, failed: 0, cancelled: 0 });
  it('success with a completion flow redirects to it', () => {
    expect(selfServiceEnding(stage, allLocked)).toEqual({ redirect: '/flows/done' });
  });
  it('success without one shows the stage message', () => {
    expect(selfServiceEnding({ ...stage, completionFlowSlug: null }, allLocked)).toEqual({ message: { title: 'Locked', body: 'Call us' } });
  });
  it('any failure or cancelled user shows the failure message', () => {
    expect(selfServiceEnding(stage, progressFrom({ total: 2, locked: 1, failed: 1, cancelled: 0 })).message?.title).toBe(SELF_SERVICE_FAILURE_TITLE);
    expect(selfServiceEnding(stage, progressFrom({ total: 2, locked: 1, failed: 0, cancelled: 1 })).message?.title).toBe(SELF_SERVICE_FAILURE_TITLE);
  });
  it('when the stage kept sessions, then neither the completion flow nor "logged out" is shown, but what was done', () => {
    const ending = selfServiceEnding({ ...stage, actions: actionsWith({ deleteSessions: false }) }, allLocked);
    expect(ending.redirect).toBeUndefined();
    expect(ending.message?.title).toBe('Locked');
    expect(ending.message?.body).toContain('Your existing sessions were not ended.');
    expect(ending.message?.body).not.toContain('logged out');
  });
  it('admin runs show their results once finished; self-service runs are answered only when finished', () => {
    expect([showsResultsPrompt({ selfService: false, status: 'completed' }), showsResultsPrompt({ selfService: true, status: 'completed' })]).toEqual([true, false]);
    expect(showsResultsPrompt({ selfService: false, status: 'running' })).toBe(false);
    const selfService = answerWhen({ selfService: true }, 'awaiting_input');
    expect(['running', 'awaiting_input', 'completed'].map((status) => selfService.settled(status as never))).toEqual([false, false, true]);
    const admin = answerWhen({ selfService: false }, 'pending');
    expect(['pending', 'running'].map((status) => admin.settled(status as never))).toEqual([false, true]);
  });
});

describe('lockdown status', () => {
  it('a cancel that left nobody out is not "cancelled": the counts decide', () => {
    expect(finalStatus(progressFrom({ total: 3, locked: 3, failed: 0, cancelled: 0 }))).toBe('completed');
    expect(finalStatus(progressFrom({ total: 3, locked: 1, failed: 0, cancelled: 2 }))).toBe('cancelled');
    expect(finalStatus(progressFrom({ total: 2, locked: 0, failed: 2, cancelled: 0 }))).toBe('failed');
    expect(finalStatus(progressFrom({ total: 2, locked: 1, failed: 1, cancelled: 0 }))).toBe('completed');
    expect(progressFrom({ total: 5, locked: 1, failed: 1, cancelled: 1 }).pending).toBe(2);
  });
});

describe('the lockdown actions, declared once', () => {
  it('the flags, their defaults and the warning list come from one declaration, in order', () => {
    expect(LOCKDOWN_ACTION_KEYS).toEqual(['deactivateUser', 'setUnusablePassword', 'deleteSessions', 'revokeTokens']);
    expect(actionsWith({ revokeTokens: false })).toEqual({ deactivateUser: true, setUnusablePassword: true, deleteSessions: true, revokeTokens: false });
    expect(warningList('self').match(/<li>/g)).toHaveLength(LOCKDOWN_ACTIONS.length);
  });
  it('the counters, the sorts by them and their audit names come from the actions that count', () => {
    expect(LOCKDOWN_COUNTERS).toEqual(['sessionsRevoked', 'tokensRevoked']);
    expect(RESULT_SORTS).toEqual(['position', 'username', '-username', 'result', '-result', 'sessionsRevoked', '-sessionsRevoked', 'tokensRevoked', '-tokensRevoked']);
    expect(countsContext({ sessionsRevoked: 3, tokensRevoked: 2 })).toEqual({ sessions_revoked: 3, tokens_revoked: 2 });
  });
  it('when a run deactivates, then every action revoked on deactivation runs too; a deactivation is exactly those', () => {
    const passwordOnly = actionsWith({ deactivateUser: false, deleteSessions: false, revokeTokens: false });
    expect(withRevocationOnDeactivation(passwordOnly)).toEqual(passwordOnly);
    expect(withRevocationOnDeactivation({ ...passwordOnly, deactivateUser: true })).toEqual(actionsWith());
    expect(DEACTIVATION_ACTIONS).toEqual({ deactivateUser: true, setUnusablePassword: false, deleteSessions: true, revokeTokens: true });
  });
  it('the restore steps are those of the actions that ran, in their order', () => {
    const steps = restoreSteps({ deactivateUser: true, setUnusablePassword: true, deleteSessions: false });
    expect(steps).toEqual([LOCKDOWN_ACTIONS[0].restore, LOCKDOWN_ACTIONS[1].restore]);
    expect(steps[1]).toMatch(/new password/);
  });
  it('stage kinds outside the declared list are not runnable', () => {
    expect([isStageKind('prompt'), isStageKind('account_lockdown'), isStageKind('oauth_grants')]).toEqual([true, true, false]);
  });
});

describe('TRUST_PROXY', () => {
  const base = { DATABASE_URL: 'postgresql://x@127.0.0.1/x' };
  it('is off by default and accepts true, a hop count or addresses', () => {
    expect(loadConfig(base).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'not a proxy!' })).toThrow(/TRUST_PROXY/);
  });
});

describe('prompt validation', () => {
  const stage: PromptStageSnapshot = {
    kind: 'prompt',
    name: 'p',
    fields: [
      { fieldKey: 'warning', label: 'Warning', type: 'alert_danger', required: true, order: 0, placeholder: '', subText: '', initialValue: '' },
      { fieldKey: 'reason', label: 'Reason', type: 'text_area', required: true, order: 1, placeholder: '', subText: '', initialValue: '' },
    ],
  };
  it('names each missing required input field, ignoring display-only fields', () => {
    expect(missingRequiredFields(stage, {})).toEqual([{ field: 'reason', message: 'Reason is required.' }]);
    expect(missingRequiredFields(stage, { reason: 42 })).toHaveLength(1);
    expect(missingRequiredFields(stage, { reason: 'ok' })).toEqual([]);
  });
  it('refuses what PostgreSQL cannot store: NUL, unpaired surrogates, over-long answers', () => {
    expect(invalidFields(stage, { reason: 'a\u0000b' })).toEqual([
      { field: 'reason', message: 'Reason contains characters that cannot be stored (NUL or an unpaired surrogate).' },
    ]);
    expect(unrecordableText('x\ud800y')).toMatch(/unpaired surrogate/);
    expect(unrecordableText('emoji \ud83d\ude00 ok')).toBeNull();
    expect(unrecordableText('x'.repeat(10_001))).toBe('must be at most 10000 characters');
    expect(invalidFields(stage, { reason: 'fine' })).toEqual([]);
  });
});

describe('prompt templates', () => {
  const user = { id: '1', username: '<script>x</script>', name: '', email: '' };
  const context: PromptContext = {
    lockdown_target_user: user,
    lockdown_target_users: [user, { ...user, username: 'bob' }],
    lockdown_self_service: false,
    lockdown_results: [],
    lockdown_reason: null,
    user,
  };
  it('escapes values as HTML by default', async () => {
    expect(await renderTemplate('<b>{{ lockdown_target_user.username }}</b>', context)).toBe('<b>&lt;script&gt;x&lt;/script&gt;</b>');
  });
  it('sees the full target list for bulk runs', async () => {
    expect(await renderTemplate('{{ lockdown_target_users | size }}', context)).toBe('2');
  });
  it('cannot read files or call unknown filters; errors are shown, not thrown', async () => {
    expect(await renderTemplate('{% include "/etc/passwd" %}', context)).toMatch(/^\[template error/);
    expect(await renderTemplate('{{ user | nope }}', context)).toMatch(/^\[template error/);
  });
});

describe('activity failure classification', () => {
  it('connection problems are transient and retried without limit', () => {
    expect(isTransientError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientError(new Error('wrapped', { cause: { code: '57P01', message: 'terminating connection' } }))).toBe(true);
    const dropped = new Error('Connection terminated unexpectedly');
    expect(classifyFailure(dropped, 50)).toBe(dropped);
  });
  it('when a connection drops inside a transaction, then the error is transient too', () => {
    // What pg and Prisma's driver adapter throw when a connection drops between statements and at COMMIT.
    expect(isTransientError(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    const atCommit = new DriverAdapterError({ kind: 'ConnectionClosed' });
    expect(isTransientError(atCommit)).toBe(true);
    expect(classifyFailure(atCommit, 50)).toBe(atCommit);
  });
  it('other errors become non-retryable after three attempts', () => {
    const failure = new Error('raise exception');
    expect(classifyFailure(failure, 1)).toBe(failure);
    expect(classifyFailure(failure, 3)).toMatchObject({ nonRetryable: true, message: 'raise exception' });
  });
});

describe('failure messages recorded for readers', () => {
  it('when Prisma names its call site, then only the last line (what happened) is kept: no file paths', () => {
    const prismaError = new Error(
      '\nInvalid `db.lockdown.update()` invocation in\n/srv/app/activities/lockdown-record.ts:17:25\n\n  14 x\n→ 17 await db.lockdown.update(\nDatabase error. Code: `P0001`. Message: `refused`',
    );
    expect(publicMessage(prismaError)).toBe('Database error. Code: `P0001`. Message: `refused`');
    expect(classifyFailure(prismaError, 3)).toMatchObject({ message: 'Database error. Code: `P0001`. Message: `refused`', nonRetryable: true });
    expect(publicMessage(new Error('plain'))).toBe('plain');
  });
});
