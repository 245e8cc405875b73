import { Button, Card, CardBody, CardHeader, CardTitle, DescriptionList } from '@patternfly/react-core';
import { useState } from 'react';
import { Term } from '../../components/Term';
import { EditUserModal, type ActionNotice } from '../../components/UserActions';
import type { UserDetail } from '../../types';
import { useLiveCredentials } from './credentials';

/** Who the user is and what still works for them; "Edit details" when the API says the viewer may. */
export function UserDetailsCard({ user, mayEdit, isFullHeight, onNotice }: { user: UserDetail; mayEdit: boolean; isFullHeight: boolean; onNotice: (notice: ActionNotice) => void }) {
  const { sessions, tokens } = useLiveCredentials(user.id);
  const [editing, setEditing] = useState(false);
  return (
    <>
      <Card isFullHeight={isFullHeight}>
      <CardHeader
        actions={
          mayEdit
            ? {
                actions: (
                  <Button variant="secondary" onClick={() => setEditing(true)}>
                    Edit details
                  </Button>
                ),
                hasNoOffset: true,
              }
            : undefined
        }
      >
        <CardTitle component="h2">Details</CardTitle>
      </CardHeader>
      <CardBody>
        <DescriptionList isHorizontal isCompact>
          <Term label="Name">{user.name || '—'}</Term>
          <Term label="Email">{user.email || '—'}</Term>
          <Term label="Type">{user.type.replaceAll('_', ' ')}</Term>
          <Term label="Status">
            {user.isLockedDown ? 'Locked — inactive, password unusable, no session or token' : user.isActive ? 'Active' : 'Inactive — cannot log in (password kept)'}
          </Term>
          <Term label="Active sessions">
            <span data-testid="sessions-count">{sessions ? sessions.length : '…'}</span>
          </Term>
          <Term label="Active tokens">
            <span data-testid="tokens-count">{tokens ? tokens.length : '…'}</span>
          </Term>
        </DescriptionList>
      </CardBody>
      </Card>
      {editing && (
        <EditUserModal
          user={user}
          onClose={() => setEditing(false)}
          onDone={(result) => {
            setEditing(false);
            onNotice(result);
          }}
        />
      )}
    </>
  );
}
