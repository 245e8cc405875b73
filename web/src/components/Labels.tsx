import { Label } from '@patternfly/react-core';
import type { Lockdown, LockdownStatus, User } from '../types';

export function ActiveLabel({ user }: { user: Pick<User, 'isActive'> }) {
  return user.isActive ? (
    <Label color="green" isCompact>
      Active
    </Label>
  ) : (
    <Label color="red" isCompact>
      Inactive
    </Label>
  );
}

const STATUS_COLORS: Record<LockdownStatus, 'green' | 'red' | 'blue' | 'orange' | 'grey' | 'purple'> = {
  completed: 'green',
  failed: 'red',
  running: 'blue',
  pending: 'blue',
  awaiting_input: 'orange',
  cancelled: 'grey',
  awaiting_approval: 'purple',
  rejected: 'red',
  expired: 'grey',
};

export function LockdownStatusLabel({ status }: { status: LockdownStatus }) {
  return (
    <Label color={STATUS_COLORS[status] ?? 'grey'} isCompact>
      {statusText(status)}
    </Label>
  );
}

/** `awaiting_approval` → `awaiting approval`. */
export function statusText(status: string): string {
  return status.replace(/_/g, ' ');
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—';
}

const users = (count: number) => `${count} user${count === 1 ? '' : 's'}`;

/**
 * What a lockdown locks, as it is: one user by name, or a bulk of N users — and whether its
 * requester is among them (`includesCaller`), said plainly: "3 users, admin among them".
 */
export function describeTargets(lockdown: Pick<Lockdown, 'targetCount' | 'includesCaller' | 'results' | 'actor' | 'cause'>, viewerId?: string | null): string {
  const yours = viewerId !== undefined && viewerId !== null && lockdown.actor.id === viewerId;
  if (lockdown.targetCount === 1) {
    if (lockdown.includesCaller) return yours ? 'your own account' : `${lockdown.actor.username}’s own account`;
    return lockdown.results[0]?.username ?? '1 user';
  }
  if (!lockdown.includesCaller) return users(lockdown.targetCount);
  return `${users(lockdown.targetCount)}, ${yours ? 'yours' : `${lockdown.actor.username}’s own account`} among them`;
}

/** "bulk" / "single" / "self-service" / "deactivation": what kind of lockdown it was. */
export function lockdownKind(lockdown: Pick<Lockdown, 'targetCount' | 'includesCaller' | 'cause'>): string {
  if (lockdown.cause === 'user_deactivated') return 'user deactivated';
  if (lockdown.cause === 'user_deleted') return 'user deleted';
  if (lockdown.targetCount > 1) return lockdown.includesCaller ? 'bulk, requester included' : 'bulk';
  return lockdown.includesCaller ? 'self-service' : 'single';
}
