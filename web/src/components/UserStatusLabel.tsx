import { Label } from '@patternfly/react-core';
import { LockIcon } from '@patternfly/react-icons';
import type { DirectoryUser } from '../types';

/** Active, inactive, or locked down (the API's `isLockedDown`: nothing left that a lockdown would change). */
export function UserStatusLabel({ user }: { user: Pick<DirectoryUser, 'isActive' | 'isLockedDown'> }) {
  if (user.isLockedDown)
    return (
      <Label color="red" isCompact icon={<LockIcon />}>
        Locked
      </Label>
    );
  return user.isActive ? (
    <Label color="green" isCompact>
      Active
    </Label>
  ) : (
    <Label color="orange" isCompact>
      Inactive
    </Label>
  );
}
