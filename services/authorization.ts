import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { isAnonymousUser, isProtectedAccount, isProtectedType, logsInWithPassword } from '../domain/accounts';
import { isRequester } from '../domain/approval';
import { ACCOUNT_ACTIONS, type AccountAction, type Actor, type PermissionName } from '../domain/permissions';
import type { FlowAuthentication } from '../domain/stages';
import { isUuid } from '../lib/ids';

/**
 * Authorization: every "may this person do that" is decided in this module only.
 *
 * - superusers hold every permission;
 * - `change_user` is held globally (no target) or on one target user;
 * - `view_audit` lets a person read events and lockdown histories;
 * - anyone may lock their own account, except inside a bulk request, which needs
 *   `change_user` on every target (no self-exemption in bulk);
 * - no escalation: whoever changes another account or its credentials (password, recovery
 *   link, tokens, re-activation, email, deletion) could act as it, so outside superusers only
 *   accounts without any power are changed — see `canChangeAccount`, `canGrantPermissions`,
 *   `canCreateUser`; ending credentials is containment (`canEndCredentialsOf`).
 */
export async function hasPermission(db: Db, actor: Actor, permission: PermissionName, targetUserId?: string): Promise<boolean> {
  if (actor.isSuperuser) return true;
  const grant = await db.permission.findFirst({
    where: {
      userId: actor.id,
      permission,
      OR: [{ targetUserId: null }, ...(targetUserId && isUuid(targetUserId) ? [{ targetUserId }] : [])],
    },
    select: { id: true },
  });
  return grant !== null;
}

/** Target ids the actor may not lock; empty when the whole request is allowed. */
export async function targetsActorMayNotLock(db: Db, actor: Actor, targetIds: string[], bulk: boolean): Promise<string[]> {
  if (actor.isSuperuser) return [];
  const grants = await db.permission.findMany({
    where: { userId: actor.id, permission: 'change_user', OR: [{ targetUserId: null }, { targetUserId: { in: targetIds.filter(isUuid) } }] },
    select: { targetUserId: true },
  });
  if (grants.some((grant) => grant.targetUserId === null)) return [];
  const granted = new Set(grants.map((grant) => grant.targetUserId));
  return targetIds.filter((id) => !granted.has(id) && !(id === actor.id && !bulk));
}

/** `change_user`/`view_audit` holders (globally) see every lockdown; others, see `visibleLockdowns`. */
export async function canViewAllLockdowns(db: Db, actor: Actor): Promise<boolean> {
  return (await hasPermission(db, actor, 'view_audit')) || (await hasPermission(db, actor, 'change_user'));
}

/** Temporal histories: the requester's own, or anyone's with view_audit. */
export async function canReadLockdownHistory(db: Db, actor: Actor, lockdown: { actorId: string | null }): Promise<boolean> {
  return lockdown.actorId === actor.id || hasPermission(db, actor, 'view_audit');
}

/**
 * Temporal payloads in clear (the codec server) and the audit timeline and exports: view_audit.
 * Payloads of any workflow pass through the codec, so there is no per-lockdown exception.
 */
export function canDecodeTemporalPayloads(db: Db, actor: Actor): Promise<boolean> {
  return hasPermission(db, actor, 'view_audit');
}

/**
 * Approving or rejecting a lockdown that waits for approval: never its requester; anyone else
 * holding change_user on every target (as a bulk lockdown of them would need).
 */
export async function canDecideLockdownApproval(
  db: Db,
  actor: Actor,
  lockdown: { actorId: string | null },
  targetIds: string[],
): Promise<'ok' | 'requester' | 'not_permitted'> {
  if (isRequester(actor.id, lockdown.actorId)) return 'requester';
  return (await targetsActorMayNotLock(db, actor, targetIds, true)).length === 0 ? 'ok' : 'not_permitted';
}

/** Only the person who started a lockdown answers its prompts. */
export function canAnswerLockdown(actor: Actor, lockdown: { actorId: string | null }): boolean {
  return lockdown.actorId === actor.id;
}

/** The person who started a lockdown, or a superuser, may cancel it. */
export function canCancelLockdown(actor: Actor, lockdown: { actorId: string | null }): boolean {
  return lockdown.actorId === actor.id || actor.isSuperuser;
}

/** A user's own record, sessions and tokens are theirs to read; others need change_user on them. */
export async function canViewUser(db: Db, actor: Actor, userId: string): Promise<boolean> {
  return userId === actor.id || hasPermission(db, actor, 'change_user', userId);
}

/** What decides who may change an account: who it is, and whether it is a superuser. */
export interface AccountUnderChange {
  id: string;
  username: string;
  type: string;
  isSuperuser: boolean;
}

async function holdsAnyPermission(db: Db, userId: string): Promise<boolean> {
  return (await db.permission.findFirst({ where: { userId }, select: { id: true } })) !== null;
}

/**
 * Changing an account — its name or email, activating, deactivating or deleting it — and
 * acting as it — setting its password, creating a recovery link or a token for it. Whoever
 * does either can then act as that account, or redirect what is sent to it, so it is one rule
 * on every path (PATCH and DELETE /users/:id, activate, set_password, recovery_link, tokens):
 * - a superuser may (the anonymous user is refused to everyone by the services, as protected);
 * - anyone else needs `change_user` on the account, and the account must hold no power at
 *   all: not a superuser, no permission of any kind or scope (or its holder could be made to
 *   approve, grant or change on someone else's behalf), not a protected type (an internal
 *   service account is a superuser's matter);
 * - your own account is yours, with `change_user` on it.
 * Locking an account is the spec's own rule (`targetsActorMayNotLock`): containment is not an
 * escalation, so `change_user` on the target is enough there.
 */
export async function canChangeAccount(db: Db, actor: Actor, target: AccountUnderChange): Promise<boolean> {
  if (actor.isSuperuser) return true;
  if (!(await hasPermission(db, actor, 'change_user', target.id))) return false;
  if (target.id === actor.id) return true;
  if (target.isSuperuser || isProtectedAccount(target)) return false;
  return !(await holdsAnyPermission(db, target.id));
}

/** Users create their own `api` and `app_password` tokens; any other token is acting as the owner (`canChangeAccount`). */
export async function canCreateToken(db: Db, actor: Actor, owner: AccountUnderChange, intent: string): Promise<boolean> {
  if (owner.id === actor.id && (intent === 'api' || intent === 'app_password')) return true;
  return canChangeAccount(db, actor, owner);
}

/**
 * Creating users needs `change_user` (globally); only superusers create superusers and
 * accounts of a protected type (which no lockdown can touch).
 */
export async function canCreateUser(db: Db, actor: Actor, user: { isSuperuser?: boolean; type?: string }): Promise<boolean> {
  const powerful = user.isSuperuser === true || (user.type !== undefined && isProtectedType(user.type));
  if (powerful && !actor.isSuperuser) return false;
  return canManageUsers(db, actor);
}

/** Granting permissions is itself the most powerful permission: superusers only. */
export function canGrantPermissions(actor: Actor): boolean {
  return actor.isSuperuser;
}

/** Creating users: change_user held globally. */
export function canManageUsers(db: Db, actor: Actor): Promise<boolean> {
  return hasPermission(db, actor, 'change_user');
}

/** Audit events and notification deliveries: view_audit. */
export function canReadAudit(db: Db, actor: Actor): Promise<boolean> {
  return hasPermission(db, actor, 'view_audit');
}

/** Groups, matcher policies, transports and notification rules decide who hears of a lockdown: change_user globally. */
export function canConfigureAlerting(db: Db, actor: Actor): Promise<boolean> {
  return hasPermission(db, actor, 'change_user');
}

/** Shared Signals receivers decide which applications hear of every lockdown: change_user globally. */
export function canConfigureSecurityEventReceivers(db: Db, actor: Actor): Promise<boolean> {
  return hasPermission(db, actor, 'change_user');
}

/** Flows, stages and brands shape every lockdown: change_user holders (globally) configure them. */
export function canConfigureFlows(db: Db, actor: Actor): Promise<boolean> {
  return hasPermission(db, actor, 'change_user');
}

/** Who may run a flow, by its authentication setting: 'ok', or what is missing. */
export function flowAccess(actor: Actor | null, authentication: FlowAuthentication): 'ok' | 'login' | 'forbidden' {
  if (authentication === 'none') return 'ok';
  if (!actor) return 'login';
  return authentication === 'require_superuser' && !actor.isSuperuser ? 'forbidden' : 'ok';
}

// ── Accounts: ending credentials, the users one manages, and what the console may offer (access) ──

/**
 * Ending a session or deleting a token: containment, like a lockdown, so `change_user` on the
 * owner is enough (whatever the owner holds); everyone ends their own. A protected account's
 * credentials end only by a superuser; the anonymous user has none to end.
 */
export async function canEndCredentialsOf(db: Db, actor: Actor, owner: AccountUnderChange): Promise<boolean> {
  if (isAnonymousUser(owner)) return false;
  if (owner.id === actor.id || actor.isSuperuser) return true;
  if (isProtectedAccount(owner)) return false;
  return hasPermission(db, actor, 'change_user', owner.id);
}

/** A single-user lockdown of `target`, as POST /lockdowns decides it (protected accounts are refused there). */
export async function canLockAccount(db: Db, actor: Actor, target: AccountUnderChange): Promise<boolean> {
  if (isProtectedAccount(target)) return false;
  return (await targetsActorMayNotLock(db, actor, [target.id], false)).length === 0;
}

/**
 * The users the actor may list and search (GET /users): everyone with `change_user` held
 * globally, else those the actor holds `change_user` on; `null` when that is nobody.
 */
export async function manageableUsers(db: Db, actor: Actor): Promise<Prisma.UserWhereInput | null> {
  if (await hasPermission(db, actor, 'change_user')) return {};
  const grant = await db.permission.findFirst({ where: { userId: actor.id, permission: 'change_user' }, select: { id: true } });
  return grant ? { permissionsOnMe: { some: { userId: actor.id, permission: 'change_user' } } } : null;
}

/**
 * Each account action the actor may take on `target`, from the same functions the services
 * call. An unknown account, or one the actor may not see, answers every action false, so
 * nothing is learnt by probing ids.
 */
export async function accountCapabilities(db: Db, actor: Actor, target: AccountUnderChange | null): Promise<Record<AccountAction, boolean>> {
  if (!target || !(await canViewUser(db, actor, target.id))) {
    return Object.fromEntries(ACCOUNT_ACTIONS.map((action) => [action, false])) as Record<AccountAction, boolean>;
  }
  const change = !isAnonymousUser(target) && (await canChangeAccount(db, actor, target));
  const password = change && logsInWithPassword(target);
  return {
    edit: change,
    deactivate: change,
    activate: change,
    delete: change && target.id !== actor.id,
    setPassword: password,
    recoveryLink: password,
    createToken: !isAnonymousUser(target) && (await canCreateToken(db, actor, target, 'api')),
    lockdown: await canLockAccount(db, actor, target),
    viewSessions: true,
    endSessions: await canEndCredentialsOf(db, actor, target),
  };
}

/**
 * Which lockdowns `actor` sees, as a filter on lockdowns: all of them with change_user or
 * view_audit held globally; otherwise those they requested and those whose every target they
 * hold change_user on (per user) — so whoever may decide a lockdown's approval sees it too.
 * Whoever does not see a lockdown is answered as if it did not exist, whatever they ask of it.
 */
export async function visibleLockdowns(db: Db, actor: Actor) {
  if (await canViewAllLockdowns(db, actor)) return {};
  const everyTargetChangeable = { every: { user: { permissionsOnMe: { some: { userId: actor.id, permission: 'change_user' as const } } } } };
  return { OR: [{ actorId: actor.id }, { targets: everyTargetChangeable }] };
}

// ── Security settings of the lockdown configuration ──

/**
 * The settings that decide whether a lockdown waits for a second person, who may run it and
 * what it does to the accounts — the Account Lockdown stage's approval and action switches
 * (`ACCOUNT_LOCKDOWN_STAGE_SECURITY_FIELDS`), a flow's authentication
 * (`FLOW_SECURITY_FIELDS`), which flow a brand locks down with, and the stages of a flow a
 * brand uses for lockdowns (binding or unbinding one, deleting a stage bound there, deleting
 * that flow) — are changed by superusers only. The rest of the configuration (names, titles,
 * messages, prompts, new flows and stages not yet in use) needs change_user, as
 * `canConfigureFlows` says. Services decide whether a change touches a security setting with
 * these lists; the decision of who may is here.
 */

/** Whether `after` sets any of `fields` to another value than `before` has. */
export function changesSecuritySetting(before: object, after: object, fields: readonly string[]): boolean {
  return fields.some((field) => field in after && (after as Record<string, unknown>)[field] !== undefined && (after as Record<string, unknown>)[field] !== (before as Record<string, unknown>)[field]);
}

/** A configuration change: superusers only when it touches a security setting, else change_user globally. */
export async function canChangeConfiguration(db: Db, actor: Actor, change: { securitySetting: boolean }): Promise<boolean> {
  return change.securitySetting ? actor.isSuperuser : canConfigureFlows(db, actor);
}

// ── Downstream connectors (issue 21) ──

/** Connectors are read, and health-checked, by change_user holders (globally): they follow them during an incident. */
export function canReadConnectors(db: Db, actor: Actor): Promise<boolean> {
  return hasPermission(db, actor, 'change_user');
}

/**
 * Connectors hold credentials to other systems and act on every locked account there
 * (disable, end sessions, delete): creating, changing and removing one is a superuser's.
 */
export function canConfigureConnectors(actor: Actor): boolean {
  return actor.isSuperuser;
}

/** A lockdown's connector run again for its failed users locks them there: change_user on every one (as a bulk lockdown of them). */
export async function canRetryDownstream(db: Db, actor: Actor, targetIds: string[]): Promise<boolean> {
  return (await targetsActorMayNotLock(db, actor, targetIds, true)).length === 0;
}

// ── Finding and selecting users to lock (the users list, the lockdown preview, the console's menu) ──

/**
 * Whose existence and state a lockdown preview may tell the actor: the users they manage
 * (`manageableUsers`) and themself; `everyone` when they hold change_user globally (then an
 * unknown name is told as unknown). Anything outside is answered "cannot be locked" whatever it
 * is, so a preview teaches nothing about users one may not lock. `null`: change_user on nobody.
 */
export async function lockdownPreviewScope(db: Db, actor: Actor): Promise<{ users: Prisma.UserWhereInput; everyone: boolean } | null> {
  if (await hasPermission(db, actor, 'change_user')) return { users: {}, everyone: true };
  const managed = await manageableUsers(db, actor);
  return managed ? { users: { OR: [managed, { id: actor.id }] }, everyone: false } : null;
}

/**
 * Whether the Lockdowns list has anything for the actor: change_user or view_audit holders
 * (globally or, for change_user, on some users), and anyone who requested a lockdown.
 */
export async function canListLockdowns(db: Db, actor: Actor): Promise<boolean> {
  if (await canViewAllLockdowns(db, actor)) return true;
  if (await manageableUsers(db, actor)) return true;
  return (await db.lockdown.findFirst({ where: { actorId: actor.id }, select: { id: true } })) !== null;
}

// ── Lockdowns that start themselves: password lockout and Shared Signals transmitters ──

/** Reading the password lockout policies and the trusted Shared Signals transmitters: change_user globally, like the rest of the configuration. */
export function canViewAutomaticLockdownSettings(db: Db, actor: Actor): Promise<boolean> {
  return canConfigureFlows(db, actor);
}

/**
 * Changing them decides what locks accounts with no person asking — how many failed logins
 * lock a password and whether that runs a lockdown, which transmitters are trusted, for whom
 * and with what effect — so, like the other security settings of lockdowns: superusers only.
 */
export function canChangeAutomaticLockdownSettings(actor: Actor): boolean {
  return actor.isSuperuser;
}

/** Unlocking a locked password gives it back its power to sign in: the rule for restoring access (`canChangeAccount`, as activate). */
export function canUnlockPassword(db: Db, actor: Actor, target: AccountUnderChange): Promise<boolean> {
  return canChangeAccount(db, actor, target);
}

// ── Lockdown results: whose user page the viewer may open ──

/**
 * Of `userIds`, those whose user page the actor may open (`canViewUser`, asked for a page of
 * results at once): all of them with change_user held globally, else the actor and those the
 * actor holds change_user on. An auditor with view_audit alone opens none: the lockdown's own
 * results and timeline say what happened to each user.
 */
export async function usersViewableBy(db: Db, actor: Actor, userIds: string[]): Promise<Set<string>> {
  if (await hasPermission(db, actor, 'change_user')) return new Set(userIds);
  const grants = await db.permission.findMany({
    where: { userId: actor.id, permission: 'change_user', targetUserId: { in: userIds.filter(isUuid) } },
    select: { targetUserId: true },
  });
  const viewable = new Set(grants.map((grant) => grant.targetUserId).filter((id): id is string => id !== null));
  if (userIds.includes(actor.id)) viewable.add(actor.id);
  return viewable;
}
