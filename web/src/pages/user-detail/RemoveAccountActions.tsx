import { Button, Flex, Title } from '@patternfly/react-core';
import { useState } from 'react';
import { DeactivateUserModal, DeleteUserModal, type ActionNotice } from '../../components/UserActions';
import type { UserDetail } from '../../types';
import { useLiveCredentials } from './credentials';
import type { OfferedActions } from './offered-actions';

/** Deactivate or delete the account, each confirmed in its modal (which says what will be ended). */
export function RemoveAccountActions({ user, offered, onNotice }: { user: UserDetail; offered: OfferedActions; onNotice: (notice: ActionNotice) => void }) {
  const { sessions, tokens } = useLiveCredentials(user.id);
  const [confirming, setConfirming] = useState<'deactivate' | 'delete' | null>(null);
  return (
    <>
      {(offered.deactivate || offered.delete) && (
        <>
          <Title headingLevel="h3" size="md" style={{ marginTop: '1rem' }}>
            {offered.deactivate && offered.delete ? 'Deactivate or delete' : offered.deactivate ? 'Deactivate' : 'Delete'}
          </Title>
          <p>
            {offered.deactivate
              ? 'For an account that should stop working, e.g. someone who left: every session is ended and every token revoked.'
              : 'Every session is ended and every token revoked first; the audit events stay.'}
          </p>
          <Flex spaceItems={{ default: 'spaceItemsSm' }} style={{ marginTop: '.5rem' }}>
            {offered.deactivate && (
              <Button variant="secondary" isDanger onClick={() => setConfirming('deactivate')}>
                Deactivate
              </Button>
            )}
            {offered.delete && (
              <Button variant="secondary" isDanger onClick={() => setConfirming('delete')}>
                Delete user
              </Button>
            )}
          </Flex>
        </>
      )}
      {confirming === 'deactivate' && (
        <DeactivateUserModal
          user={user}
          counts={{ sessions: sessions?.length ?? null, tokens: tokens?.length ?? null }}
          onClose={() => setConfirming(null)}
          onDone={(result) => {
            setConfirming(null);
            onNotice(result);
          }}
        />
      )}
      {confirming === 'delete' && <DeleteUserModal user={user} onClose={() => setConfirming(null)} />}
    </>
  );
}
