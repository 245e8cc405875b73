import { Alert, Label, LabelGroup, Stack, Title } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, query } from '../api';
import type { LockdownTimeline as Timeline, TimelineUser } from '../types';
import { CursorPager, useCursorPages } from './CursorPager';
import { ErrorAlert } from './ErrorAlert';
import { formatTime } from './Labels';
import { ResultLabel } from './ResultsTable';

const USERS_PER_PAGE = 20;

/** The per-user steps of the timeline in words (the API names them as the workflow does). */
const STEP_WORDS: Record<string, string> = {
  started: 'started',
  checkLockdownTarget: 'target checked',
  deactivateUser: 'deactivated',
  setUnusablePassword: 'password invalidated',
  deleteSessions: 'sessions ended',
  revokeTokens: 'tokens revoked',
  verifyLockdown: 'verified',
  writeLockdownAuditEvent: 'audit event written',
  writeLockdownFailedEvent: 'failure audited',
  recordTargetResult: 'result recorded',
  planSecurityEvents: 'security events planned',
  'notifications started': 'notifications started',
  locked: 'locked',
  failed: 'failed',
  cancelled: 'cancelled',
};

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 }) : '—');

/** `{ by: "admin", reason: "…" }` → `by: admin · reason: …`; nested values as JSON. */
function detailText(detail: Record<string, unknown> | undefined): string {
  if (!detail) return '';
  return Object.entries(detail)
    .filter(([, value]) => value !== null && value !== undefined && !(typeof value === 'object' && Object.keys(value as object).length === 0))
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

/**
 * The auditor's timeline of one lockdown, readable: who asked, when, from where, the prompt
 * answers and status changes, then each user's steps with their times and counts (paged by
 * user), and the notifications sent. From GET /lockdowns/:id/timeline.
 */
export function LockdownTimeline({ lockdownId }: { lockdownId: string }) {
  const pages = useCursorPages();
  const timeline = useQuery({
    queryKey: ['lockdown-timeline', lockdownId, pages.cursor],
    queryFn: () => api.get<Timeline>(`/lockdowns/${lockdownId}/timeline${query({ limit: USERS_PER_PAGE, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
  });
  const data = timeline.data;
  if (timeline.error) return <ErrorAlert error={timeline.error} title="The timeline cannot be shown" />;
  if (!data) return <p>Reading the timeline…</p>;
  return (
    <Stack hasGutter>
      {data.note && (
        <Alert variant="info" isInline isPlain title="From PostgreSQL alone">
          {data.note}
        </Alert>
      )}
      <Title headingLevel="h3">The lockdown</Title>
      <Table aria-label="Lockdown events" variant="compact">
        <Thead>
          <Tr>
            <Th modifier="fitContent">Time</Th>
            <Th modifier="fitContent">What</Th>
            <Th>Details</Th>
          </Tr>
        </Thead>
        <Tbody>
          {data.events.map((entry, index) => (
            <Tr key={`${entry.what}-${index}`}>
              <Td dataLabel="Time" modifier="nowrap">
                {formatTime(entry.at)}
              </Td>
              <Td dataLabel="What" modifier="nowrap">
                {entry.what}
              </Td>
              <Td dataLabel="Details" modifier="breakWord">
                {detailText(entry.detail)}
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
      <Title headingLevel="h3">Each user’s steps</Title>
      <CursorPager pages={pages} nextCursor={data.nextCursor} label="Timeline users" summary={`Users ${(pages.page - 1) * USERS_PER_PAGE + 1}–${(pages.page - 1) * USERS_PER_PAGE + data.users.length}`} />
      <Table aria-label="Steps per user" variant="compact">
        <Thead>
          <Tr>
            <Th modifier="nowrap">User</Th>
            <Th modifier="fitContent">Result</Th>
            <Th>Steps</Th>
            <Th modifier="wrap" width={15}>
              Notifications
            </Th>
          </Tr>
        </Thead>
        <Tbody>
          {data.users.map((user) => (
            <Tr key={user.userId}>
              <Td dataLabel="User" modifier="nowrap">
                {user.username}
              </Td>
              <Td dataLabel="Result">
                <ResultLabel result={user} />
              </Td>
              <Td dataLabel="Steps">
                <Steps user={user} />
              </Td>
              <Td dataLabel="Notifications">{user.notifications.length ? user.notifications.map((n) => `${n.transport} (${n.mode}): ${n.status}`).join(', ') : '—'}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </Stack>
  );
}

function Steps({ user }: { user: TimelineUser }) {
  if (user.steps.length === 0) return <>{user.error ?? 'no step recorded'}</>;
  return (
    <LabelGroup numLabels={12} isCompact aria-label={`Steps of ${user.username}`}>
      {user.steps.map((step, index) => (
        <Label key={`${step.step}-${index}`} isCompact color={step.error ? 'red' : 'grey'} title={step.error ?? undefined}>
          {time(step.at)} {STEP_WORDS[step.step] ?? step.step}
          {typeof step.count === 'number' ? ` (${step.count})` : ''}
          {step.attempt ? `, attempt ${step.attempt}` : ''}
          {step.error ? `: ${step.error}` : ''}
        </Label>
      ))}
    </LabelGroup>
  );
}
