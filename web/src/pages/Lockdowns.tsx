import { FormSelect, FormSelectOption, PageSection, Title, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, query } from '../api';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatTime, LockdownStatusLabel } from '../components/Labels';
import { Loading } from '../session';
import type { Lockdown, LockdownStatus, Page } from '../types';

const STATUSES: LockdownStatus[] = ['awaiting_input', 'awaiting_approval', 'pending', 'running', 'completed', 'failed', 'cancelled', 'rejected', 'expired'];

export function LockdownsPage() {
  const [status, setStatus] = useState('');
  const pages = useCursorPages();
  const lockdowns = useQuery({
    queryKey: ['lockdowns', status, pages.cursor],
    queryFn: () => api.get<Page<Lockdown>>(`/lockdowns${query({ status, limit: 25, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Lockdowns</Title>
      </PageSection>
      <PageSection>
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <FormSelect
                aria-label="Filter by status"
                value={status}
                onChange={(_event, value) => {
                  setStatus(value);
                  pages.reset();
                }}
              >
                <FormSelectOption value="" label="Any status" />
                {STATUSES.map((value) => (
                  <FormSelectOption key={value} value={value} label={value.replace('_', ' ')} />
                ))}
              </FormSelect>
            </ToolbarItem>
            <ToolbarItem align={{ default: 'alignEnd' }}>
              <CursorPager pages={pages} nextCursor={lockdowns.data?.nextCursor} label="Lockdowns" />
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        <ErrorAlert error={lockdowns.error} title="Lockdowns cannot be listed" />
        {lockdowns.isPending ? (
          <Loading />
        ) : (
          <Table aria-label="Lockdowns" variant="compact">
            <Thead>
              <Tr>
                <Th modifier="wrap">Requested</Th>
                <Th modifier="wrap">Status</Th>
                <Th modifier="wrap">Requested by</Th>
                <Th modifier="wrap">Users</Th>
                <Th modifier="wrap">Locked / failed</Th>
                <Th modifier="wrap">Reason</Th>
              </Tr>
            </Thead>
            <Tbody>
              {lockdowns.data?.items.map((lockdown) => (
                <Tr key={lockdown.id}>
                  <Td dataLabel="Requested">
                    <Link to={`/lockdowns/${lockdown.id}`}>{formatTime(lockdown.createdAt)}</Link>
                  </Td>
                  <Td dataLabel="Status">
                    <LockdownStatusLabel status={lockdown.status} />
                  </Td>
                  <Td dataLabel="Requested by">
                    {lockdown.actor.username}
                    {lockdown.selfService ? ' (self-service)' : ''}
                  </Td>
                  <Td dataLabel="Users">{lockdown.results.length === 1 ? lockdown.results[0].username : lockdown.progress.total}</Td>
                  <Td dataLabel="Locked / failed">
                    {lockdown.progress.locked} / {lockdown.progress.failed}
                  </Td>
                  <Td dataLabel="Reason" modifier="breakWord">
                    {lockdown.reason ?? '—'}
                  </Td>
                </Tr>
              ))}
              {lockdowns.data?.items.length === 0 && (
                <Tr>
                  <Td colSpan={6}>No lockdowns yet.</Td>
                </Tr>
              )}
            </Tbody>
          </Table>
        )}
      </PageSection>
    </>
  );
}
