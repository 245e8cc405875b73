import { Card, CardBody, CardTitle } from '@patternfly/react-core';
import type { ActionNotice } from '../../components/UserActions';
import type { UserDetail } from '../../types';
import { LockdownActions } from './LockdownActions';
import type { OfferedActions } from './offered-actions';
import { RemoveAccountActions } from './RemoveAccountActions';
import { RestoreAccessActions } from './RestoreAccessActions';

/** The user's actions: lock down, deactivate or delete, restore access. */
export function UserActionsCard({ user, offered, isSelf, onNotice }: { user: UserDetail; offered: OfferedActions; isSelf: boolean; onNotice: (notice: ActionNotice) => void }) {
  return (
    <Card isFullHeight>
      <CardTitle component="h2">Actions</CardTitle>
      <CardBody>
        <LockdownActions user={user} offered={offered} isSelf={isSelf} />
        <RemoveAccountActions user={user} offered={offered} onNotice={onNotice} />
        <RestoreAccessActions user={user} offered={offered} />
      </CardBody>
    </Card>
  );
}
