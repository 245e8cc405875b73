import { Label } from '@patternfly/react-core';
import type { LockdownStatus, User } from '../types';

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
      {status.replace('_', ' ')}
    </Label>
  );
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—';
}
