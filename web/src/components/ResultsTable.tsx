import { Label } from '@patternfly/react-core';
import { CheckCircleIcon, ExclamationCircleIcon } from '@patternfly/react-icons';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, query } from '../api';
import type { Lockdown, LockdownResult, Page } from '../types';
import { ConnectorResults, DownstreamSummary } from './ConnectorResults';
import { CursorPager, useCursorPages } from './CursorPager';

const PAGE_SIZE = 50;

/** Per-user outcome of a lockdown, paged from the API so thousands of users stay readable. */
export function ResultsTable({ lockdown, live }: { lockdown: Lockdown; live: boolean }) {
  const pages = useCursorPages();
  const results = useQuery({
    queryKey: ['lockdown-results', lockdown.id, pages.cursor],
    queryFn: () => api.get<Page<LockdownResult>>(`/lockdowns/${lockdown.id}/results${query({ limit: PAGE_SIZE, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 1500 : false,
  });
  const items = results.data?.items ?? [];
  const first = (pages.page - 1) * PAGE_SIZE;
  return (
    <>
      <DownstreamSummary lockdown={lockdown} />
      <Table aria-label="Results per user" variant="compact">
        <Thead>
          <Tr>
            <Th>User</Th>
            <Th>Result</Th>
            <Th>Sessions ended</Th>
            <Th>Tokens revoked</Th>
            <Th>Error</Th>
            <Th>Downstream</Th>
          </Tr>
        </Thead>
        <Tbody>
          {items.map((result) => (
            <Tr key={result.userId}>
              <Td dataLabel="User">
                <Link to={`/users/${result.userId}`}>{result.username}</Link>
              </Td>
              <Td dataLabel="Result">
                <ResultLabel result={result} />
              </Td>
              <Td dataLabel="Sessions ended">{result.success ? result.sessionsRevoked : '—'}</Td>
              <Td dataLabel="Tokens revoked">{result.success ? result.tokensRevoked : '—'}</Td>
              <Td dataLabel="Error">{result.error ?? ''}</Td>
              <Td dataLabel="Downstream"><ConnectorResults results={result.downstream} /></Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
      <CursorPager
        pages={pages}
        nextCursor={results.data?.nextCursor}
        label="Results"
        summary={items.length ? `${first + 1}–${first + items.length} of ${lockdown.progress.total}` : `0 of ${lockdown.progress.total}`}
      />
    </>
  );
}

export function ResultLabel({ result }: { result: LockdownResult }) {
  if (result.status === 'locked')
    return (
      <Label color="green" icon={<CheckCircleIcon />} isCompact>
        Locked
      </Label>
    );
  if (result.status === 'failed')
    return (
      <Label color="red" icon={<ExclamationCircleIcon />} isCompact>
        Failed
      </Label>
    );
  if (result.status === 'cancelled') return <Label isCompact>Cancelled</Label>;
  return (
    <Label color="blue" isCompact>
      {result.status === 'running' ? 'Running' : 'Pending'}
    </Label>
  );
}
