import type { Db } from '../lib/db';
import { isRequester } from './approval';
import type { FlowAuthentication } from './stages';
import { LOCKDOWN_ACTION_KEYS } from './lockdown-actions';
import { isUuid } from '../lib/ids';

/**
 * Authorization: every "may this person do that" is decided in this module only.
 *
 * - superusers hold every permission;
 * - `change_user` is held globally (no target) or on one target user;
 * - `view_audit` lets a person read events and lockdown histories;
 * - anyone may lock their own account, except inside a bulk request, which needs
 *   `change_user` on every target (no self-exemption in bulk);
 * - no escalation: an action that changes another account's credentials (password,
 *   recovery link, tokens, re-activation) or permissions can never give the actor powers
 *   they do not already hold — see `canChangeCredentialsOf`, `canGrantPermissions`,
 *   `canCreateUser`.
 */
export const PERMISSION_NAMES = ['change_user', 'view_audit'] as const;
export type PermissionName = (typeof PERMISSION_NAMES)[number];

export interface Actor {
  id: string;
  isSuperuser: boolean;
}

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

/** `change_user`/`view_audit` holders see every lockdown; others see the ones they requested. */
export async function canViewAllLockdowns(db: Db, actor: Actor): Promise<boolean> {
  return (await hasPermission(db, actor, 'view_audit')) || (await hasPermission(db, actor, 'change_user'));
}

export async function canViewLockdown(db: Db, actor: Actor, lockdown: { actorId: string | null }): Promise<boolean> {
  return lockdown.actorId === actor.id || canViewAllLockdowns(db, actor);
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

/**
 * Set a password, create a recovery link or a token for, or re-activate `targetUserId`:
 * whoever does it can then act as that account, so it must not be more powerful than
 * the actor. Needs `change_user` on the target, and
 * - a superuser's credentials change only by a superuser;
 * - every permission the target holds, the actor holds too (a global grant covers a grant
 *   on one user), so `change_user` on one account cannot become `change_user` on all.
 * An unknown target passes here; the route then answers 404 (after the 403 check, so ids
 * cannot be probed without `change_user`).
 */
export async function canChangeCredentialsOf(db: Db, actor: Actor, targetUserId: string): Promise<boolean> {
  if (actor.isSuperuser) return true;
  if (!(await hasPermission(db, actor, 'change_user', targetUserId))) return false;
  if (!isUuid(targetUserId) || targetUserId === actor.id) return true;
  const target = await db.user.findUnique({
    where: { id: targetUserId },
    select: { isSuperuser: true, permissions: { select: { permission: true, targetUserId: true } } },
  });
  if (!target) return true;
  if (target.isSuperuser) return false;
  // A global grant of the target needs a global grant of the actor; a grant on one user, either.
  for (const grant of target.permissions) {
    if (!(await hasPermission(db, actor, grant.permission, grant.targetUserId ?? undefined))) return false;
  }
  return true;
}

/**
 * Changing or deleting an account (PATCH/DELETE /users/:id): change_user on the user; a
 * superuser's account only by a superuser.
 */
export async function canChangeAccount(db: Db, actor: Actor, target: { id: string; isSuperuser: boolean }): Promise<boolean> {
  if (target.isSuperuser && !actor.isSuperuser) return false;
  return hasPermission(db, actor, 'change_user', target.id);
}

/** Users create their own `api` and `app_password` tokens; for anyone else, or another intent, it is a credential change. */
export async function canCreateToken(db: Db, actor: Actor, ownerId: string, intent: string): Promise<boolean> {
  if (ownerId === actor.id && (intent === 'api' || intent === 'app_password')) return true;
  return canChangeCredentialsOf(db, actor, ownerId);
}

/** Creating users needs `change_user` (globally); only superusers create superusers. */
export async function canCreateUser(db: Db, actor: Actor, user: { isSuperuser?: boolean }): Promise<boolean> {
  if (user.isSuperuser && !actor.isSuperuser) return false;
  return canManageUsers(db, actor);
}

/** Granting permissions is itself the most powerful permission: superusers only. */
export function canGrantPermissions(actor: Actor): boolean {
  return actor.isSuperuser;
}

/** Listing, searching and creating users: change_user held globally. */
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
export const ACCOUNT_LOCKDOWN_STAGE_SECURITY_FIELDS: readonly string[] = [...LOCKDOWN_ACTION_KEYS, 'requireApproval'];
export const FLOW_SECURITY_FIELDS: readonly string[] = ['authentication'];

/** Whether `after` sets any of `fields` to another value than `before` has. */
export function changesSecuritySetting(before: object, after: object, fields: readonly string[]): boolean {
  return fields.some((field) => field in after && (after as Record<string, unknown>)[field] !== undefined && (after as Record<string, unknown>)[field] !== (before as Record<string, unknown>)[field]);
}

/** A configuration change: superusers only when it touches a security setting, else change_user globally. */
export async function canChangeConfiguration(db: Db, actor: Actor, change: { securitySetting: boolean }): Promise<boolean> {
  return change.securitySetting ? actor.isSuperuser : canConfigureFlows(db, actor);
}
