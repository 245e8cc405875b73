import { Alert, Button, Label } from '@patternfly/react-core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type * as signals from '../../../api/schemas/signals';
import { api } from '../api';
import type { User } from '../types';
import { ErrorAlert } from './ErrorAlert';
import { formatTime } from './Labels';

type PasswordLockoutStatus = z.infer<typeof signals.PasswordLockoutStatus>;

/** "Password locked" beside a user whose password lockout locked the password (the API's `passwordLocked`). */
export function PasswordLockedLabel({ user }: { user: Pick<User, 'passwordLocked'> }) {
  if (!user.passwordLocked) return null;
  return (
    <Label color="orange" isCompact>
      Password locked
    </Label>
  );
}

/**
 * A user's password lockout on their page: when locked, since when, after how many failed
 * logins, what the escalation did, and **Unlock password** for whoever the API says may.
 */
export function PasswordLockPanel({ userId }: { userId: string }) {
  const client = useQueryClient();
  const status = useQuery({ queryKey: ['password-lockout', userId], queryFn: () => api.get<PasswordLockoutStatus>(`/users/${userId}/password_lockout`) });
  const unlock = useMutation({
    mutationFn: () => api.post(`/users/${userId}/unlock_password`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['password-lockout', userId] });
      void client.invalidateQueries({ queryKey: ['user', userId] });
    },
  });
  const lock = status.data;
  if (!lock?.locked) return unlock.isSuccess ? <Alert variant="success" isInline isPlain title="The password is unlocked." /> : null;
  return (
    <Alert variant="warning" isInline title="Password locked" data-testid="password-locked">
      <p>
        Locked {formatTime(lock.lockedAt)} after repeated failed logins ({lock.failedAttempts} counted, the last from {lock.lastFailedIp ?? 'an unknown address'}). The right password is
        refused like a wrong one until the password is unlocked or a new one is set.
      </p>
      {lock.escalation?.status === 'started' && lock.escalation.lockdownId && (
        <p>
          The policy escalated it to a <a href={`/lockdowns/${lock.escalation.lockdownId}`}>lockdown</a>.
        </p>
      )}
      {lock.escalation?.status === 'failed' && <p>The escalation to a lockdown was refused: {lock.escalation.error}</p>}
      {lock.viewerMayUnlock && (
        <Button variant="secondary" size="sm" onClick={() => unlock.mutate()} isLoading={unlock.isPending}>
          Unlock password
        </Button>
      )}
      <ErrorAlert error={unlock.error} title="The password was not unlocked" />
    </Alert>
  );
}
