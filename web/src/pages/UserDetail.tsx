import { Grid, GridItem, PageSection, Stack } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api } from '../api';
import { DownstreamRestore } from '../components/DownstreamRestore';
import { ErrorAlert } from '../components/ErrorAlert';
import { LastLockdownCard } from '../components/LastLockdownCard';
import { PasswordLockPanel } from '../components/PasswordLock';
import type { ActionNotice } from '../components/UserActions';
import { Loading, useCapabilities, useMe } from '../session';
import type { UserDetail } from '../types';
import { ActionNoticeAlert } from './user-detail/ActionNoticeAlert';
import { SessionsCard, TokensCard } from './user-detail/CredentialTables';
import { offeredActions } from './user-detail/offered-actions';
import { UserActionsCard } from './user-detail/UserActionsCard';
import { UserDetailsCard } from './user-detail/UserDetailsCard';
import { UserHeader } from './user-detail/UserHeader';

/** A user: who they are, their credentials, Account Lockdown, and restoring access after one. */
export function UserDetailPage() {
  const { id = '' } = useParams();
  const me = useMe().data;
  // What the viewer may do to this user, as the API decides it: the page derives no rule of its own.
  const can = useCapabilities(id).data?.user;
  const user = useQuery({ queryKey: ['user', id], queryFn: () => api.get<UserDetail>(`/users/${id}`) });
  const [notice, setNotice] = useState<ActionNotice | null>(null);
  const data = user.data;
  const isSelf = data?.id === me?.id;

  return (
    <>
      <UserHeader user={data} />
      <PageSection>
        {user.isPending && <Loading />}
        <ErrorAlert error={user.error} title="This user cannot be shown" />
        {data && <PasswordLockPanel userId={data.id} />}
        <ActionNoticeAlert notice={notice} onClose={() => setNotice(null)} />
        {data && (
          <Grid hasGutter>
            <GridItem md={7}>
              <Stack hasGutter>
                {data.lastLockdown && <LastLockdownCard last={data.lastLockdown} />}
                <UserDetailsCard user={data} mayEdit={Boolean(can?.edit)} isFullHeight={!data.lastLockdown} onNotice={setNotice} />
              </Stack>
            </GridItem>
            <GridItem md={5}>
              <UserActionsCard user={data} offered={offeredActions(data, can, isSelf)} isSelf={isSelf} onNotice={setNotice} />
            </GridItem>
            <GridItem md={6}>
              <SessionsCard userId={data.id} />
            </GridItem>
            <GridItem md={6}>
              <TokensCard userId={data.id} />
            </GridItem>
            <DownstreamRestore userId={data.id} />
          </Grid>
        )}
      </PageSection>
    </>
  );
}
