/**
 * The switchable actions of an Account Lockdown stage, declared once. Pure: the workflow
 * imports it. Everything else derives from this list: the types, the API's zod schemas,
 * the flow snapshot, the workflow's step loop (each action runs the activity of the same
 * name, in this order), verification, the counters of the results, the seed's warning
 * text and the tests' flow builder. Adding an action (say, revoking OAuth grants) is one
 * entry here (with `since`: the patch id its step runs behind, so runs recorded before it
 * replay unchanged), its activity and verify step (activities/user-lockdown.ts refuses to
 * compile without them), and a migration for its stage column.
 */
const ORIGINAL: string | null = null; // actions every recorded history already has
export const LOCKDOWN_ACTIONS = [
  {
    key: 'deactivateUser',
    /** The workflow patch the step runs behind (null: part of every recorded history). */
    since: ORIGINAL,
    /** What the verify step re-checks after all actions ran. */
    verifies: 'the user is still inactive',
    /** The lockdown_targets column that counts what the action removed, if it counts. */
    counter: null,
    /** Lines of the seed's warning prompt and of the self-service ending. */
    warning: { self: 'deactivate your account, so you can no longer log in', one: 'deactivate the account', many: 'deactivate each account' },
    done: { on: 'Your account has been deactivated.', off: 'Your account was not deactivated.' },
  },
  {
    key: 'setUnusablePassword',
    since: ORIGINAL,
    verifies: null,
    counter: null,
    warning: { self: 'invalidate your password', one: 'invalidate its password', many: 'invalidate their passwords' },
    done: { on: 'Your password has been invalidated.', off: 'Your password was not changed.' },
  },
  {
    key: 'deleteSessions',
    since: ORIGINAL,
    verifies: 'no session reappeared',
    counter: 'sessionsRevoked',
    warning: { self: 'log you out of every device and application', one: 'end every session on every device and application', many: 'end every session on every device and application' },
    done: { on: 'You have been logged out of all sessions.', off: 'Your existing sessions were not ended.' },
  },
  {
    key: 'revokeTokens',
    since: ORIGINAL,
    verifies: 'no token reappeared',
    counter: 'tokensRevoked',
    warning: {
      self: 'revoke all your tokens and app passwords',
      one: 'revoke every API token, app password, recovery and verification token',
      many: 'revoke every API token, app password, recovery and verification token',
    },
    done: { on: 'All your tokens and app passwords have been revoked.', off: 'Your tokens and app passwords were not revoked.' },
  },
] as const;

export type LockdownAction = (typeof LOCKDOWN_ACTIONS)[number];
export type LockdownActionKey = LockdownAction['key'];
export type LockdownActions = Record<LockdownActionKey, boolean>;

export const LOCKDOWN_ACTION_KEYS: LockdownActionKey[] = LOCKDOWN_ACTIONS.map((action) => action.key);

/** One value per action, e.g. a zod schema per flag: `{ ...perAction(() => z.boolean()) }`. */
export function perAction<T>(make: (action: LockdownAction) => T): Record<LockdownActionKey, T> {
  return Object.fromEntries(LOCKDOWN_ACTIONS.map((action) => [action.key, make(action)])) as Record<LockdownActionKey, T>;
}

/** The action flags of a stage row (or any object carrying them), and nothing else. */
export function actionsOf(source: LockdownActions): LockdownActions {
  return perAction((action) => source[action.key]);
}

/** Every action on (the default of a new stage), with the given ones changed. */
export function actionsWith(changes: Partial<LockdownActions> = {}): LockdownActions {
  return perAction((action) => changes[action.key] ?? true);
}

/** The bullet list of the seeded warning prompt: first person (self), one target, several. */
export function warningList(form: 'self' | 'one' | 'many'): string {
  return `<ul>${LOCKDOWN_ACTIONS.map((action) => `<li>${action.warning[form]}</li>`).join('')}</ul>`;
}

/**
 * No deactivation without revocation: a run that deactivates the user also ends their
 * sessions and revokes their tokens, whatever the stage says, so no credential of an
 * inactive user survives to work again once the user is re-activated. The per-user
 * workflow applies it at its entry (behind the `deactivation-revokes` patch).
 */
export function withRevocationOnDeactivation(actions: LockdownActions): LockdownActions {
  if (!actions.deactivateUser) return actions;
  return { ...actions, deleteSessions: true, revokeTokens: true };
}
