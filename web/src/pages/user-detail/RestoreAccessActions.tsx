import { Alert, Button, Flex, Title } from '@patternfly/react-core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import type { RecoveryLink, User, UserDetail } from '../../types';
import { useRefreshUser } from './credentials';
import { RecoveryLinkModal } from './RecoveryLinkModal';
import { SetPasswordModal } from './SetPasswordModal';
import type { OfferedActions } from './offered-actions';

/** Giving access back after a lockdown or deactivation: activate, set a password, create a recovery link. */
export function RestoreAccessActions({ user, offered }: { user: UserDetail; offered: OfferedActions }) {
  const refresh = useRefreshUser(user.id);
  const activate = useMutation({ mutationFn: () => api.post<User>(`/users/${user.id}/activate`), onSuccess: refresh });
  const [settingPassword, setSettingPassword] = useState(false);
  const [recovery, setRecovery] = useState<RecoveryLink | null>(null);
  const recoveryLink = useMutation({ mutationFn: () => api.post<RecoveryLink>(`/users/${user.id}/recovery_link`), onSuccess: (link) => setRecovery(link) });
  return (
    <>
      {offered.restore && (
        <>
          <Title headingLevel="h3" size="md" style={{ marginTop: '1rem' }}>
            Restore access
          </Title>
          <Flex spaceItems={{ default: 'spaceItemsSm' }} style={{ marginTop: '.5rem' }}>
            {offered.activate && (
              <Button variant="primary" onClick={() => activate.mutate()} isLoading={activate.isPending}>
                Activate
              </Button>
            )}
            {offered.setPassword && (
              <Button variant="secondary" onClick={() => setSettingPassword(true)}>
                Set password
              </Button>
            )}
            {offered.recoveryLink && (
              <Button variant="secondary" onClick={() => recoveryLink.mutate()} isLoading={recoveryLink.isPending}>
                Create recovery link
              </Button>
            )}
          </Flex>
        </>
      )}
      <ErrorAlert error={activate.error ?? recoveryLink.error} title="The action failed" />
      {activate.isSuccess && user.isActive && <Alert variant="success" isInline isPlain title="The account is active again." />}
      {settingPassword && <SetPasswordModal user={user} onClose={() => setSettingPassword(false)} />}
      {recovery && <RecoveryLinkModal user={user} recovery={recovery} onClose={() => setRecovery(null)} />}
    </>
  );
}
