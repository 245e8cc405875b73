import { FormSelect, FormSelectOption, PageSection, Title, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, query } from '../api';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { describeTargets, formatTime, lockdownKind, LockdownStatusLabel, statusText } from '../components/Labels';
import { Loading, useMe } from '../session';
import type { Lockdown, LockdownStatus, Page } from '../types';

const STATUSES: LockdownStatus[] = ['awaiting_input', 'awaiting_approval', 'pending', 'running', 'completed', 'failed', 'cancelled', 'rejected', 'expired'];

/** What it did, in a few words: the counts once it ran, or why nobody was locked. */
function outcome(lockdown: Lockdown): string {
  const { locked, failed, cancelled, total } = lockdown.progress;
  if (!lockdown.finished) {
    if (lockdown.status === 'running') return `${locked + failed} of ${total} done${lockdown.containment ? `, contained ${lockdown.containment.contained}/${total}` : ''}`;
    return lockdown.status === 'awaiting_input' ? 'waiting at its prompt' : 'nobody touched yet';
  }
  if (locked + failed === 0 && !lockdown.containment) {
    if (lockdown.status === 'cancelled') return lockdown.approval ? 'cancelled while awaiting approval: nobody locked' : 'cancelled at its prompt: nobody locked';
    return `${statusText(lockdown.status)}: nobody locked`;
  }
  const parts = [`${locked} locked`, ...(failed ? [`${failed} failed`] : []), ...(cancelled ? [`${cancelled} not started${lockdown.cancellation.leftDeactivated ? ' (stay deactivated)' : ''}`] : [])];
  return parts.join(', ');
}

export function LockdownsPage() {
  const me = useMe().data;
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
                  <FormSelectOption key={value} value={value} label={statusText(value)} />
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
                <Th modifier="wrap">Outcome</Th>
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
                  <Td dataLabel="Requested by">{lockdown.actor.username}</Td>
                  <Td dataLabel="Users">
                    {describeTargets(lockdown, me?.id)}
                    <div className="secondary-text">{lockdownKind(lockdown)}</div>
                  </Td>
                  <Td dataLabel="Outcome">{outcome(lockdown)}</Td>
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
