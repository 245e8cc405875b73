import type { CaepEventName } from './security-events';

/**
 * The switchable actions of an Account Lockdown stage, declared once. Pure: the workflow
 * imports it. Everything else derives from this list: the types, the API's zod schemas and
 * its list of actions (GET /api/v1/stages/account_lockdown/actions, which the console's
 * switches, results columns and timeline read), the flow snapshot, the workflow's step loop
 * (each action runs the activity of the same name, in this order), verification, the
 * counters of the results (API, CSV, CLI, audit events), the CAEP events sent downstream,
 * what a deactivation revokes, the restore hints, the seed's warning text and the tests'
 * flow builder. Adding an action (say, revoking OAuth grants) is one entry here (with
 * `since`: the patch id its step runs behind, so runs recorded before it replay unchanged),
 * its activity and verify step (activities/user-lockdown.ts refuses to compile without
 * them), and a migration for its stage column and counter column (services/schema-parity.ts
 * refuses to compile without them).
 */
/** What each entry declares; `satisfies` keeps the entries' literal types for the derived ones. */
interface LockdownActionDeclaration {
  key: string;
  label: string;
  description: string;
  outcome: string;
  since: string | null;
  verifies: string | null;
  counter: { column: string; label: string; unit: string } | null;
  caep: CaepEventName | null;
  revokedOnDeactivation: boolean;
  restore: string;
  warning: { self: string; one: string; many: string };
  done: { on: string; off: string };
}

const ORIGINAL: string | null = null; // actions every recorded history already has
export const LOCKDOWN_ACTIONS = [
  {
    key: 'deactivateUser',
    /** The stage switch in the console: what it is called and what it does. */
    label: 'Deactivate user',
    description: 'The user can no longer log in.',
    /** The step in a lockdown's timeline, once it ran. */
    outcome: 'deactivated',
    /** The workflow patch the step runs behind (null: part of every recorded history). */
    since: ORIGINAL,
    /** What the verify step re-checks after all actions ran. */
    verifies: 'the user is still inactive',
    /**
     * What the action removed, counted in a lockdown_targets column of that name (null: it
     * does not count): a column of the results (API, CSV, console, CLI) and of the audit event.
     */
    counter: null,
    /** The CAEP event (domain/security-events.ts) downstream applications get once it ran, if any. */
    caep: null,
    /**
     * Whether deactivating a user also runs it, whatever the stage says: the credentials that
     * would work again once the user is re-activated (see withRevocationOnDeactivation).
     */
    revokedOnDeactivation: false,
    /** How an administrator gives back what the action took away (restore access). */
    restore: 'Activate the account again (POST /api/v1/users/:id/activate).',
    /** Lines of the seed's warning prompt and of the self-service ending. */
    warning: { self: 'deactivate your account, so you can no longer log in', one: 'deactivate the account', many: 'deactivate each account' },
    done: { on: 'Your account has been deactivated.', off: 'Your account was not deactivated.' },
  },
  {
    key: 'setUnusablePassword',
    label: 'Set unusable password',
    description: 'Invalidates the user’s password.',
    outcome: 'password invalidated',
    since: ORIGINAL,
    verifies: null,
    counter: null,
    caep: 'credential-change',
    revokedOnDeactivation: false,
    restore: 'Set a new password (POST /api/v1/users/:id/set_password) or create a recovery link for the user (POST /api/v1/users/:id/recovery_link).',
    warning: { self: 'invalidate your password', one: 'invalidate its password', many: 'invalidate their passwords' },
    done: { on: 'Your password has been invalidated.', off: 'Your password was not changed.' },
  },
  {
    key: 'deleteSessions',
    label: 'Delete sessions',
    description: 'Logs the user out of every device and application.',
    outcome: 'sessions ended',
    since: ORIGINAL,
    verifies: 'no session reappeared',
    counter: { column: 'sessionsRevoked', label: 'Sessions ended', unit: 'sessions' },
    caep: 'session-revoked',
    revokedOnDeactivation: true,
    restore: 'Nothing to give back: the user logs in again once the account is active and has a password.',
    warning: { self: 'log you out of every device and application', one: 'end every session on every device and application', many: 'end every session on every device and application' },
    done: { on: 'You have been logged out of all sessions.', off: 'Your existing sessions were not ended.' },
  },
  {
    key: 'revokeTokens',
    label: 'Revoke tokens',
    description: 'API, app password, recovery and verification tokens.',
    outcome: 'tokens revoked',
    since: ORIGINAL,
    verifies: 'no token reappeared',
    counter: { column: 'tokensRevoked', label: 'Tokens revoked', unit: 'tokens' },
    caep: null,
    revokedOnDeactivation: true,
    restore: 'Create again the API tokens and app passwords the user still needs (POST /api/v1/tokens); revoked ones stay revoked.',
    warning: {
      self: 'revoke all your tokens and app passwords',
      one: 'revoke every API token, app password, recovery and verification token',
      many: 'revoke every API token, app password, recovery and verification token',
    },
    done: { on: 'All your tokens and app passwords have been revoked.', off: 'Your tokens and app passwords were not revoked.' },
  },
] as const satisfies readonly LockdownActionDeclaration[];

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

/** The counters of a per-user result (lockdown_targets columns), in the order of their actions. */
export type LockdownCounter = NonNullable<LockdownAction['counter']>['column'];
export type LockdownCounts = Record<LockdownCounter, number>;
type CountingAction = Extract<LockdownAction, { counter: object }>;

export const COUNTING_ACTIONS = LOCKDOWN_ACTIONS.filter((action): action is CountingAction => action.counter !== null);
export const LOCKDOWN_COUNTERS: LockdownCounter[] = COUNTING_ACTIONS.map((action) => action.counter.column);

/** One value per counter, e.g. a zod schema per count: `{ ...perCounter(() => z.number().int()) }`. */
export function perCounter<T>(make: (counter: CountingAction['counter'], action: CountingAction) => T): Record<LockdownCounter, T> {
  return Object.fromEntries(COUNTING_ACTIONS.map((action) => [action.counter.column, make(action.counter, action)])) as Record<LockdownCounter, T>;
}

/** The counts of a lockdown_targets row (or any object carrying them), and nothing else. */
export function countsOf(source: LockdownCounts): LockdownCounts {
  return perCounter((counter) => source[counter.column]);
}

type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}` ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}` : S;
/** The counts as audit event contexts and templates name them: `sessionsRevoked` → `sessions_revoked`. */
export type LockdownCountsContext = { [Counter in LockdownCounter as SnakeCase<Counter>]: number };

export function countsContext(source: LockdownCounts): LockdownCountsContext {
  const snake = (column: string) => column.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  return Object.fromEntries(LOCKDOWN_COUNTERS.map((column) => [snake(column), source[column]])) as LockdownCountsContext;
}

/** The actions a user deactivated outside a lockdown loses: the deactivation and every credential it would re-enable. */
export const REVOKED_ON_DEACTIVATION: LockdownActionKey[] = LOCKDOWN_ACTIONS.filter((action) => action.revokedOnDeactivation).map((action) => action.key);

/**
 * No deactivation without revocation: a run that deactivates the user also runs every
 * action `revokedOnDeactivation` (ends their sessions, revokes their tokens), whatever the
 * stage says, so no credential of an inactive user survives to work again once the user is
 * re-activated. The per-user workflow applies it at its entry (behind the
 * `deactivation-revokes` patch).
 */
export function withRevocationOnDeactivation(actions: LockdownActions): LockdownActions {
  if (!actions.deactivateUser) return actions;
  return { ...actions, ...perAction((action) => action.revokedOnDeactivation || actions[action.key]) };
}

/** How to give back what the actions that ran took away, in their order (restore access). */
export function restoreSteps(ran: Partial<LockdownActions>): string[] {
  return LOCKDOWN_ACTIONS.filter((action) => ran[action.key] === true).map((action) => action.restore);
}
