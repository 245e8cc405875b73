import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

/**
 * Custom search attributes of lockdown workflows: ids, a flag and a count only. Temporal's
 * visibility store keeps them unencrypted, so never a username, email, reason or address.
 * Register them on a cluster with `temporal operator search-attribute create` (README);
 * the dev server starts with them (scripts/lib/temporal-cli.ts); the worker checks at start.
 */
export const SEARCH_ATTRIBUTES = {
  LockdownId: 'Keyword',
  LockdownActorId: 'Keyword',
  LockdownSelfService: 'Bool',
  LockdownTargetCount: 'Int',
  LockdownTargetUserId: 'Keyword',
} as const;

export const LOCKDOWN_ID = defineSearchAttributeKey('LockdownId', SearchAttributeType.KEYWORD);
export const LOCKDOWN_ACTOR_ID = defineSearchAttributeKey('LockdownActorId', SearchAttributeType.KEYWORD);
export const LOCKDOWN_SELF_SERVICE = defineSearchAttributeKey('LockdownSelfService', SearchAttributeType.BOOL);
export const LOCKDOWN_TARGET_COUNT = defineSearchAttributeKey('LockdownTargetCount', SearchAttributeType.INT);
export const LOCKDOWN_TARGET_USER_ID = defineSearchAttributeKey('LockdownTargetUserId', SearchAttributeType.KEYWORD);

/** The lockdown workflow's attributes, set by the client that starts it. */
export function lockdownSearchAttributes(lockdown: { lockdownId: string; actorId: string | null; selfService: boolean; targetCount: number }): SearchAttributePair[] {
  return [
    { key: LOCKDOWN_ID, value: lockdown.lockdownId },
    ...(lockdown.actorId ? [{ key: LOCKDOWN_ACTOR_ID, value: lockdown.actorId }] : []),
    { key: LOCKDOWN_SELF_SERVICE, value: lockdown.selfService },
    { key: LOCKDOWN_TARGET_COUNT, value: lockdown.targetCount },
  ];
}

/** A per-user workflow's attributes, set by the parent when it starts the child. */
export function userLockdownSearchAttributes(lockdownId: string, userId: string): SearchAttributePair[] {
  return [
    { key: LOCKDOWN_ID, value: lockdownId },
    { key: LOCKDOWN_TARGET_USER_ID, value: userId },
  ];
}
