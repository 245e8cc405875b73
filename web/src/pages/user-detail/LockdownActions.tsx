import { ActionGroup, Button } from '@patternfly/react-core';
import { Link } from 'react-router';
import { StartLockdownError, useStartLockdown } from '../../components/StartLockdown';
import type { UserDetail } from '../../types';
import type { OfferedActions } from './offered-actions';

/** "Account Lockdown" (which opens the flow), or why this page offers none: yourself, a protected account, already locked. */
export function LockdownActions({ user, offered, isSelf }: { user: UserDetail; offered: OfferedActions; isSelf: boolean }) {
  const start = useStartLockdown();
  return (
    <>
      {offered.lock && (
        <>
          <p>Secure this account now if it may be compromised: deactivate it, invalidate its password, end its sessions and revoke its tokens.</p>
          <ActionGroup>
            <Button variant="danger" onClick={() => start.mutate({ user: user.id })} isLoading={start.isPending} isDisabled={start.isPending}>
              Account Lockdown
            </Button>
          </ActionGroup>
        </>
      )}
      <StartLockdownError error={start.error} />
      {isSelf && (
        <p>
          To lock your own account, use <Link to="/settings">Settings › Account Lockdown</Link>.
        </p>
      )}
      {user.isProtected && <p>Protected from lockdown: the anonymous user and internal service accounts are never locked.</p>}
      {user.isLockedDown && !isSelf && (
        <p data-testid="already-locked">
          Already locked: inactive, password unusable, no session and no token — a lockdown would change nothing.
          {offered.restore && ' To give access back, activate the account, then set a password or send a recovery link.'}
        </p>
      )}
    </>
  );
}
