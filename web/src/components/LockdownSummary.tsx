import { Alert, Button, Flex, List, ListItem } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { api, query } from '../api';
import type { Lockdown, LockdownResult, Page } from '../types';
import { ProgressCounts } from './LockdownProgress';
import type { ResultsView } from './ResultsTable';

/** Failures named in the summary; "Show all" filters the table to every one of them. */
const FAILURES_SHOWN = 5;

const users = (count: number) => `${count} user${count === 1 ? '' : 's'}`;

/** The summary's title and colour, from the counts — or nothing when the approval banner already says how it ended. */
function headline(lockdown: Lockdown): { variant: 'success' | 'warning' | 'danger' | 'info'; title: string } | null {
  const { status, approval, progress, containment } = lockdown;
  const { total, locked, failed, cancelled } = progress;
  if (approval && (status === 'rejected' || status === 'expired' || (status === 'cancelled' && locked + failed === 0))) return null;
  if (status === 'expired') return { variant: 'warning', title: 'Lockdown expired: nobody was locked' };
  if (status === 'cancelled' && locked + failed === 0 && !containment) return { variant: 'info', title: 'Lockdown cancelled before it started: nobody was locked' };
  if (status === 'cancelled') return { variant: 'warning', title: `Lockdown cancelled: ${locked} of ${total} locked, ${cancelled} not started` };
  if (failed === 0) return { variant: 'success', title: `Lockdown completed: ${locked} of ${total} locked` };
  return { variant: 'danger', title: `Lockdown finished with failures: ${failed} of ${total} failed, ${locked} locked` };
}

/**
 * What a finished lockdown did, first: the headline, "contained N/N", the counts, what a cancel
 * left behind and how to undo it, then the failures with their reasons — before the per-user
 * table (which "Show all failures" filters). Its heading takes the focus when the run ends,
 * so keyboard and screen-reader users land on the result.
 */
export function LockdownSummary({ lockdown, view, message, focusOnMount = false }: { lockdown: Lockdown; view: ResultsView; message?: ReactNode; focusOnMount?: boolean }) {
  const summary = headline(lockdown);
  const ref = useRef<HTMLDivElement>(null);
  const { failed } = lockdown.progress;
  const failures = useQuery({
    queryKey: ['lockdown-failures', lockdown.id, failed],
    queryFn: () => api.get<Page<LockdownResult>>(`/lockdowns/${lockdown.id}/results${query({ status: 'failed', limit: FAILURES_SHOWN })}`),
    enabled: failed > 0,
  });

  useEffect(() => {
    if (!focusOnMount) return;
    const heading = ref.current?.querySelector<HTMLElement>('h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [focusOnMount]);

  if (!summary) return <ProgressCounts lockdown={lockdown} />;
  return (
    <div ref={ref}>
      <Alert variant={summary.variant} isInline component="h2" title={summary.title} data-testid="lockdown-summary">
        <ProgressCounts lockdown={lockdown} />
        {lockdown.cancellation.outcome && <p data-testid="cancel-outcome">{lockdown.cancellation.outcome}</p>}
        {lockdown.error && <p>{lockdown.error}</p>}
        {message}
        {failed > 0 && (
          <div className="summary-failures">
            <strong>
              {failed === 1 ? 'The failure' : failed > FAILURES_SHOWN ? `The first ${FAILURES_SHOWN} of ${failed} failures` : `The ${failed} failures`}, with why:
            </strong>
            <List isPlain data-testid="summary-failures">
              {failures.data?.items.map((result) => (
                <ListItem key={result.userId}>
                  <strong>{result.username}</strong>: {result.error ?? 'failed'}
                </ListItem>
              ))}
            </List>
            {view.status !== 'failed' && (
              <Flex>
                <Button variant="link" isInline onClick={() => view.filter('failed')}>
                  Show only the {users(failed).replace('user', 'failed user')} below
                </Button>
              </Flex>
            )}
          </div>
        )}
      </Alert>
    </div>
  );
}
