import { Flex, Label, PageSection, Title } from '@patternfly/react-core';
import { Link } from 'react-router';
import { PasswordLockedLabel } from '../../components/PasswordLock';
import { UserStatusLabel } from '../../components/UserStatusLabel';
import type { UserDetail } from '../../types';

/** The page's title: the username with its status labels, and the way back to the directory. */
export function UserHeader({ user }: { user: UserDetail | undefined }) {
  return (
    <PageSection>
      <Flex alignItems={{ default: 'alignItemsCenter' }} spaceItems={{ default: 'spaceItemsSm' }}>
        <Title headingLevel="h1">{user?.username ?? 'User'}</Title>
        {user && <UserStatusLabel user={user} />}
        {user && <PasswordLockedLabel user={user} />}
        {user?.isSuperuser && <Label color="purple">Superuser</Label>}
        {user?.isProtected && <Label>Protected account</Label>}
      </Flex>
      <p>
        <Link to="/users">Directory › Users</Link>
      </p>
    </PageSection>
  );
}
