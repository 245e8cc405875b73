import { Button, FormSelect, FormSelectOption, Label, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { CheckCircleIcon, ExclamationCircleIcon } from '@patternfly/react-icons';
import { Table, Tbody, Td, Th, Thead, Tr, type ThProps } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, query } from '../api';
import type { Lockdown, LockdownResult, Page, ResultsQuery, TargetStatus } from '../types';
import { ConnectorResults, DownstreamSummary } from './ConnectorResults';
import { CursorPager, useCursorPages } from './CursorPager';

const PAGE_SIZE = 50;

type Sort = NonNullable<ResultsQuery['sort']>;

/** The result filter's choices, in the order an incident asks about them. */
const FILTERS: { value: TargetStatus | ''; label: string }[] = [
  { value: '', label: 'Any result' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'locked', label: 'Locked' },
  { value: 'running', label: 'Running' },
  { value: 'pending', label: 'Pending' },
];

/** Sortable columns and the API's sort key of each (`-` first: descending). */
const COLUMNS = [
  { title: 'User', sort: 'username', modifier: 'nowrap' },
  { title: 'Result', sort: 'result', modifier: 'fitContent' },
  { title: 'Sessions ended', sort: 'sessionsRevoked', modifier: 'fitContent' },
  { title: 'Tokens revoked', sort: 'tokensRevoked', modifier: 'fitContent' },
] as const;

/** What the table shows: a filter by result and a sort, kept by the page so the summary can ask for "only the failures". */
export function useResultsView() {
  const [status, setStatus] = useState<TargetStatus | ''>('');
  const [sort, setSort] = useState<Sort>('position');
  const pages = useCursorPages();
  return {
    status,
    sort,
    pages,
    filter: (next: TargetStatus | '') => {
      setStatus(next);
      pages.reset();
    },
    sortBy: (next: Sort) => {
      setSort(next);
      pages.reset();
    },
  };
}
export type ResultsView = ReturnType<typeof useResultsView>;

/**
 * Per-user outcome of a lockdown, paged from the API so thousands of users stay readable:
 * filtered by result and sorted on the server, at the page's full width.
 */
export function ResultsTable({ lockdown, live, view }: { lockdown: Lockdown; live: boolean; view: ResultsView }) {
  const { pages, status, sort } = view;
  const results = useQuery({
    // The counts are in the key: a row's status changes when they do (a cancel or rejection marks every pending row at once).
    queryKey: ['lockdown-results', lockdown.id, status, sort, pages.cursor, lockdown.status, lockdown.progress.locked, lockdown.progress.failed, lockdown.progress.cancelled],
    queryFn: () => api.get<Page<LockdownResult>>(`/lockdowns/${lockdown.id}/results${query({ status, sort, limit: PAGE_SIZE, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2000 : false,
  });
  const items = results.data?.items ?? [];
  const first = (pages.page - 1) * PAGE_SIZE;
  const matching = (status ? countOf(lockdown, status) : lockdown.progress.total) ?? 'the users not finished';

  function sortProps(index: number, key: (typeof COLUMNS)[number]['sort']): ThProps['sort'] {
    const active = sort === key || sort === `-${key}`;
    return {
      columnIndex: index,
      sortBy: active ? { index, direction: sort.startsWith('-') ? 'desc' : 'asc' } : { index: -1 },
      onSort: (_event, _index, direction) => view.sortBy((direction === 'desc' ? `-${key}` : key) as Sort),
    };
  }

  return (
    <>
      <DownstreamSummary lockdown={lockdown} />
      <Toolbar inset={{ default: 'insetNone' }}>
        <ToolbarContent>
          <ToolbarItem>
            <FormSelect
              aria-label="Filter results"
              value={status}
              onChange={(_event, value) => view.filter(value as TargetStatus | '')}
              data-testid="results-filter"
              style={{ minWidth: '13rem' }}
            >
              {FILTERS.map((option) => (
                <FormSelectOption key={option.value} value={option.value} label={option.value && countOf(lockdown, option.value) !== null ? `${option.label} (${countOf(lockdown, option.value)})` : option.label} />
              ))}
            </FormSelect>
          </ToolbarItem>
          {sort !== 'position' && (
            <ToolbarItem>
              <Button variant="link" isInline onClick={() => view.sortBy('position')}>
                Back to request order
              </Button>
            </ToolbarItem>
          )}
          <ToolbarItem align={{ default: 'alignEnd' }}>
            <CursorPager
              pages={pages}
              nextCursor={results.data?.nextCursor}
              label="Results"
              summary={items.length ? `${first + 1}–${first + items.length} of ${matching}` : `0 of ${matching}`}
            />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <Table aria-label="Results per user" variant="compact" className="results-table">
        <Thead>
          <Tr>
            {COLUMNS.map((column, index) => (
              <Th key={column.title} sort={sortProps(index, column.sort)} modifier={column.modifier}>
                {column.title}
              </Th>
            ))}
            <Th modifier="wrap" width={40}>
              Error
            </Th>
            <Th>Downstream</Th>
          </Tr>
        </Thead>
        <Tbody>
          {items.map((result) => (
            <Tr key={result.userId}>
              <Td dataLabel="User" modifier="nowrap">
                {result.viewerMayViewUser ? <Link to={`/users/${result.userId}`}>{result.username}</Link> : result.username}
              </Td>
              <Td dataLabel="Result" modifier="nowrap">
                <ResultLabel result={result} />
              </Td>
              <Td dataLabel="Sessions ended">{result.success ? result.sessionsRevoked : '—'}</Td>
              <Td dataLabel="Tokens revoked">{result.success ? result.tokensRevoked : '—'}</Td>
              <Td dataLabel="Error" modifier="breakWord">
                {result.error ?? ''}
              </Td>
              <Td dataLabel="Downstream">
                <ConnectorResults results={result.downstream} />
              </Td>
            </Tr>
          ))}
          {items.length === 0 && !results.isPending && (
            <Tr>
              <Td colSpan={5}>{status ? 'No user with this result.' : 'No results yet.'}</Td>
            </Tr>
          )}
        </Tbody>
      </Table>
    </>
  );
}

/** How many results have `status`, from the lockdown's counts; null for running and pending, which the counts do not tell apart. */
function countOf(lockdown: Lockdown, status: TargetStatus): number | null {
  const { progress } = lockdown;
  switch (status) {
    case 'locked':
      return progress.locked;
    case 'failed':
      return progress.failed;
    case 'cancelled':
      return progress.cancelled;
    default:
      return progress.pending === 0 ? 0 : null;
  }
}

export function ResultLabel({ result }: { result: { status: string } }) {
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
