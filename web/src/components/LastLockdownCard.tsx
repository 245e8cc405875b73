import { Card, CardBody, CardTitle, DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm } from '@patternfly/react-core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { LastLockdown } from '../types';
import { formatTime, LockdownStatusLabel } from './Labels';

const RESULTS: Record<LastLockdown['result'], string> = {
  locked: 'Locked',
  failed: 'Failed',
  running: 'Being locked',
  pending: 'Waiting to start (already deactivated if containment ran)',
  cancelled: 'Cancelled',
};
const CAUSES: Record<string, string> = { user_deactivated: 'Deactivated from the user page or PATCH (password kept)', user_deleted: 'Deleted' };

/** The last lockdown that acted on a user, as the API shows it to this viewer (who and why only when the lockdown is visible to them). */
export function LastLockdownCard({ last }: { last: LastLockdown }) {
  return (
    <Card data-testid="last-lockdown">
      <CardTitle component="h2">Last lockdown</CardTitle>
      <CardBody>
        <DescriptionList isHorizontal isCompact>
          <Term label="Requested">{formatTime(last.requestedAt)}</Term>
          <Term label="By">{last.actor ? `${last.actor.username}${last.selfService ? ' (self-service)' : ''}` : 'Not shown: the lockdown names users you do not manage'}</Term>
          <Term label="Reason">{last.reason ?? (last.cause ? CAUSES[last.cause] ?? last.cause : last.id ? '—' : 'Not shown')}</Term>
          <Term label="This user">
            {RESULTS[last.result]}
            {last.completedAt ? `, ${formatTime(last.completedAt)}` : ''}
            {last.error ? ` — ${last.error}` : ''}
          </Term>
          {last.id && last.status && (
            <Term label="Lockdown">
              <LockdownStatusLabel status={last.status} /> <Link to={`/lockdowns/${last.id}`}>Open the lockdown</Link>
            </Term>
          )}
        </DescriptionList>
      </CardBody>
    </Card>
  );
}

function Term({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{label}</DescriptionListTerm>
      <DescriptionListDescription>{children}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}
