import { Alert, Button, Flex, Label, Modal, ModalBody, ModalFooter, ModalHeader, Title } from '@patternfly/react-core';
import { AngleLeftIcon, AngleRightIcon } from '@patternfly/react-icons';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { Loading } from '../session';
import type { LockdownPreview, LockdownPreviewRequest } from '../types';
import { ErrorAlert } from './ErrorAlert';
import { StartLockdownError, useStartLockdown } from './StartLockdown';

const LOCKABLE_PAGE = 5;
/** Refusals shown at once (the rest are counted): thousands of rows would only slow the page. */
const REFUSED_SHOWN = 500;
type Refusal = LockdownPreview['refused'][number]['reason'];
const REASON_LABELS: Record<Refusal, string> = {
  protected: 'protected',
  already_locked: 'already locked',
  not_permitted: 'not yours to lock or unknown',
  not_found: 'unknown',
  ambiguous: 'ambiguous',
};
const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString()} ${count === 1 ? one : many}`;

/**
 * Before the prompt: who the selection would lock and who it cannot, as the API decides it
 * (POST /lockdowns/preview). Refusals first, with why; then the lockdown of the lockable ones
 * (at most `maxTargets`; the rest after another preview).
 */
export function LockdownPreviewModal({ request, onClose }: { request: LockdownPreviewRequest; onClose: () => void }) {
  const preview = useQuery({
    queryKey: ['lockdown-preview', request],
    queryFn: () => api.post<LockdownPreview>('/lockdowns/preview', request),
    gcTime: 0,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const start = useStartLockdown();
  const data = preview.data;
  const taken = data ? data.lockable.slice(0, data.maxTargets) : [];
  const leftOver = data ? data.lockable.length - taken.length : 0;
  const lock = () => start.mutate(taken.length === 1 ? { user: taken[0].id } : { users: taken.map((user) => user.id) });

  return (
    <Modal isOpen variant="large" onClose={onClose} aria-labelledby="preview-title" aria-describedby="preview-summary">
      <ModalHeader title="Review who will be locked" labelId="preview-title" description="Nothing has started yet: the next step asks for the reason." />
      <ModalBody>
        {preview.isPending && <Loading label="Checking the selection" />}
        <ErrorAlert error={preview.error} title="The selection cannot be checked" />
        {data && (
          <>
            <Flex id="preview-summary" data-testid="preview-summary" spaceItems={{ default: 'spaceItemsSm' }} alignItems={{ default: 'alignItemsCenter' }}>
              <Label color="red">{plural(data.counts.lockable, 'user')} will be locked</Label>
              <Label color={data.counts.refused ? 'orange' : 'grey'}>{plural(data.counts.refused, 'entry', 'entries')} cannot be locked</Label>
              <span>of {plural(data.counts.entries, 'entry', 'entries')} selected</span>
              {data.refused.length > 0 && <span data-testid="refusal-counts">({refusalCounts(data.refused)})</span>}
            </Flex>
            {data.includesYou && (
              <Alert variant="warning" isInline isPlain title="Your own account is in the selection: the lockdown logs you out too." style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }} />
            )}
            {leftOver > 0 && (
              <Alert variant="warning" isInline title={`One lockdown takes at most ${data.maxTargets.toLocaleString()} users`} style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
                The first {data.maxTargets.toLocaleString()} (in the order below) are locked now; {plural(leftOver, 'user')} are left out. Preview the same selection again afterwards: those
                already locked then show as such, and the rest can be locked.
              </Alert>
            )}
            {data.refused.length > 0 && <RefusedTable refused={data.refused} />}
            <LockableTable lockable={data.lockable} />
          </>
        )}
        <StartLockdownError error={start.error} />
      </ModalBody>
      <ModalFooter>
        <Button variant="danger" onClick={lock} isDisabled={!data || taken.length === 0 || start.isPending} isLoading={start.isPending}>
          {taken.length ? `Lock ${plural(taken.length, 'user')}` : 'Nobody to lock'}
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

function refusalCounts(refused: LockdownPreview['refused']): string {
  const counts = new Map<Refusal, number>();
  for (const entry of refused) counts.set(entry.reason, (counts.get(entry.reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count.toLocaleString()} ${REASON_LABELS[reason]}`).join(' · ');
}

function RefusedTable({ refused }: { refused: LockdownPreview['refused'] }) {
  return (
    <>
      <Title headingLevel="h2" size="md" style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
        Cannot be locked ({refused.length.toLocaleString()})
      </Title>
      <div style={{ maxHeight: '14rem', overflowY: 'auto' }} tabIndex={0} role="region" aria-label="Entries that cannot be locked">
        <Table aria-label="Cannot be locked" variant="compact" isStickyHeader>
          <Thead>
            <Tr>
              <Th width={30}>Entry</Th>
              <Th>Why</Th>
            </Tr>
          </Thead>
          <Tbody>
            {refused.slice(0, REFUSED_SHOWN).map((entry) => (
              <Tr key={`${entry.entry}-${entry.reason}`}>
                <Td dataLabel="Entry" className="mono">
                  {entry.entry}
                </Td>
                <Td dataLabel="Why">
                  {entry.message}
                  {entry.lockdownId && (
                    <>
                      {' '}
                      <Link to={`/lockdowns/${entry.lockdownId}`}>Its lockdown</Link>
                    </>
                  )}
                </Td>
              </Tr>
            ))}
            {refused.length > REFUSED_SHOWN && (
              <Tr>
                <Td colSpan={2}>… and {(refused.length - REFUSED_SHOWN).toLocaleString()} more (counted above).</Td>
              </Tr>
            )}
          </Tbody>
        </Table>
      </div>
    </>
  );
}

function LockableTable({ lockable }: { lockable: LockdownPreview['lockable'] }) {
  const [page, setPage] = useState(1);
  if (lockable.length === 0) return null;
  const shown = lockable.slice((page - 1) * LOCKABLE_PAGE, page * LOCKABLE_PAGE);
  const pageCount = Math.ceil(lockable.length / LOCKABLE_PAGE);
  return (
    <>
      <Flex justifyContent={{ default: 'justifyContentSpaceBetween' }} alignItems={{ default: 'alignItemsCenter' }} style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
        <Title headingLevel="h2" size="md">
          Will be locked ({lockable.length.toLocaleString()})
        </Title>
        <Flex component="nav" aria-label="Users to lock pages" alignItems={{ default: 'alignItemsCenter' }} spaceItems={{ default: 'spaceItemsSm' }}>
          <span aria-live="polite">
            {((page - 1) * LOCKABLE_PAGE + 1).toLocaleString()}–{((page - 1) * LOCKABLE_PAGE + shown.length).toLocaleString()} of {lockable.length.toLocaleString()}
          </span>
          <Button variant="plain" aria-label="Previous page" isDisabled={page <= 1} onClick={() => setPage(page - 1)} icon={<AngleLeftIcon />} />
          <Button variant="plain" aria-label="Next page" isDisabled={page >= pageCount} onClick={() => setPage(page + 1)} icon={<AngleRightIcon />} />
        </Flex>
      </Flex>
      <Table aria-label="Will be locked" variant="compact">
        <Thead>
          <Tr>
            <Th width={30}>Username</Th>
            <Th width={30}>Name</Th>
            <Th>Email</Th>
          </Tr>
        </Thead>
        <Tbody>
          {shown.map((user) => (
            <Tr key={user.id}>
              <Td dataLabel="Username">{user.username}</Td>
              <Td dataLabel="Name">{user.name || '—'}</Td>
              <Td dataLabel="Email">{user.email || '—'}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </>
  );
}
