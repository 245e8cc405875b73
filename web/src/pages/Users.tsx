import {
  Alert,
  AlertActionCloseButton,
  Button,
  Label,
  PageSection,
  SearchInput,
  Title,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { isProtectedAccount } from '../../../domain/accounts';
import { api, query } from '../api';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { ActiveLabel } from '../components/Labels';
import { PasswordLockedLabel } from '../components/PasswordLock';
import { StartLockdownError, useStartLockdown } from '../components/StartLockdown';
import { Loading } from '../session';
import type { Page, User } from '../types';

const PAGE_SIZE = 20;

/** Directory › Users: search, filter by status, select, and lock the selection. */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const [submitted, setSubmitted] = useState('');
  const [status, setStatus] = useState<'all' | 'active' | 'inactive'>('all');
  const [selected, setSelected] = useState<Map<string, string>>(new Map());
  const pages = useCursorPages();
  const location = useLocation();
  const navigate = useNavigate();
  // Set by the user page after DELETE /users/:id answered 204.
  const deleted = (location.state as { deleted?: string } | null)?.deleted;
  const start = useStartLockdown();
  const users = useQuery({
    queryKey: ['users', submitted, status, pages.cursor],
    queryFn: () =>
      api.get<Page<User>>(
        `/users${query({ search: submitted, isActive: status === 'all' ? undefined : status === 'active', limit: PAGE_SIZE, cursor: pages.cursor })}`,
      ),
    placeholderData: keepPreviousData,
  });
  const items = users.data?.items ?? [];
  const selectable = items.filter((user) => !isProtectedAccount(user));

  function toggle(user: User, on: boolean) {
    setSelected((old) => {
      const next = new Map(old);
      if (on) next.set(user.id, user.username);
      else next.delete(user.id);
      return next;
    });
  }
  const allOnPage = selectable.length > 0 && selectable.every((user) => selected.has(user.id));
  const filter = (value: string) => {
    setSubmitted(value.trim());
    pages.reset();
  };

  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Users</Title>
        <p>Select one or more users and click Account Lockdown. Locked users are shown as inactive.</p>
      </PageSection>
      <PageSection>
        {deleted && (
          <Alert
            variant="success"
            isInline
            title={`${deleted} was deleted.`}
            actionClose={<AlertActionCloseButton onClose={() => navigate('.', { replace: true, state: null })} />}
            style={{ marginBottom: '1rem' }}
          >
            Every session was ended and every token revoked before the account was deleted; the audit events stay.
          </Alert>
        )}
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <SearchInput
                aria-label="Search users by username, name or email"
                placeholder="Search by username, name or email"
                value={search}
                onChange={(_event, value) => setSearch(value)}
                onSearch={(_event, value) => filter(value)}
                onClear={() => {
                  setSearch('');
                  filter('');
                }}
              />
            </ToolbarItem>
            <ToolbarItem>
              <ToggleGroup aria-label="Status">
                {(['all', 'active', 'inactive'] as const).map((value) => (
                  <ToggleGroupItem
                    key={value}
                    text={value[0].toUpperCase() + value.slice(1)}
                    isSelected={status === value}
                    onChange={() => {
                      setStatus(value);
                      pages.reset();
                    }}
                  />
                ))}
              </ToggleGroup>
            </ToolbarItem>
            <ToolbarItem>
              <Button
                variant="danger"
                isDisabled={selected.size === 0 || start.isPending}
                isLoading={start.isPending}
                onClick={() => start.mutate(selected.size === 1 ? { user: [...selected.keys()][0] } : { users: [...selected.keys()] })}
              >
                Account Lockdown
              </Button>
            </ToolbarItem>
            {selected.size > 0 && (
              <ToolbarItem alignSelf="center">
                <span aria-live="polite">
                  {selected.size} selected{' '}
                  <Button variant="link" isInline onClick={() => setSelected(new Map())}>
                    Clear
                  </Button>
                </span>
              </ToolbarItem>
            )}
            <ToolbarItem align={{ default: 'alignEnd' }}>
              <CursorPager pages={pages} nextCursor={users.data?.nextCursor} label="Users" />
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        <StartLockdownError error={start.error} />
        <ErrorAlert error={users.error} title="Users cannot be listed" />
        {users.isPending ? (
          <Loading />
        ) : (
          <Table aria-label="Users" variant="compact">
            <Thead>
              <Tr>
                <Th
                  select={{
                    onSelect: (_event, on) => selectable.forEach((user) => toggle(user, on)),
                    isSelected: allOnPage,
                    isDisabled: selectable.length === 0,
                  }}
                />
                <Th>Username</Th>
                <Th>Name</Th>
                <Th>Email</Th>
                <Th>Type</Th>
                <Th>Status</Th>
              </Tr>
            </Thead>
            <Tbody>
              {items.map((user, index) => {
                const protectedAccount = isProtectedAccount(user);
                return (
                  <Tr key={user.id}>
                    <Td
                      select={{
                        rowIndex: index,
                        onSelect: (_event, on) => toggle(user, on),
                        isSelected: selected.has(user.id),
                        isDisabled: protectedAccount,
                      }}
                    />
                    <Td dataLabel="Username">
                      <Link to={`/users/${user.id}`}>{user.username}</Link>{' '}
                      {user.isSuperuser && (
                        <Label isCompact color="purple">
                          Superuser
                        </Label>
                      )}{' '}
                      {protectedAccount && <Label isCompact>Protected</Label>}
                    </Td>
                    <Td dataLabel="Name">{user.name}</Td>
                    <Td dataLabel="Email">{user.email}</Td>
                    <Td dataLabel="Type">{user.type.replaceAll('_', ' ')}</Td>
                    <Td dataLabel="Status">
                      <ActiveLabel user={user} /> <PasswordLockedLabel user={user} />
                    </Td>
                  </Tr>
                );
              })}
              {items.length === 0 && (
                <Tr>
                  <Td colSpan={6}>No users match.</Td>
                </Tr>
              )}
            </Tbody>
          </Table>
        )}
      </PageSection>
    </>
  );
}
