import { Alert, Button, Flex, Label, LabelGroup, Tooltip } from '@patternfly/react-core';
import { CheckCircleIcon, ExclamationCircleIcon, InProgressIcon, MinusCircleIcon } from '@patternfly/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { z } from 'zod';
import type * as schemas from '../../../api/schemas/connectors';
import { api } from '../api';
import type { Lockdown, LockdownResult } from '../types';
import { ErrorAlert } from './ErrorAlert';

type Retry = z.infer<typeof schemas.DownstreamRetry>;

/** One user's result on each downstream connector, for a row of the per-user results. */
export function ConnectorResults({ results }: { results: LockdownResult['downstream'] }) {
  if (results.length === 0) return <>—</>;
  return (
    <LabelGroup numLabels={4} aria-label="Downstream results">
      {results.map((result) => {
        const label = <ConnectorLabel key={result.connectorId ?? result.connector} result={result} />;
        const why = result.error ?? (result.status === 'done' ? `Ran: ${result.actions.join(', ')}` : null);
        return why ? (
          <Tooltip key={result.connectorId ?? result.connector} content={why}>
            {label}
          </Tooltip>
        ) : (
          label
        );
      })}
    </LabelGroup>
  );
}

function ConnectorLabel({ result }: { result: LockdownResult['downstream'][number] }) {
  const run = result.run > 1 ? ` (retry ${result.run - 1})` : '';
  switch (result.status) {
    case 'done':
      return (
        <Label color="green" icon={<CheckCircleIcon />} isCompact>
          {result.connector}: locked{run}
        </Label>
      );
    case 'not_found':
      return (
        <Label icon={<MinusCircleIcon />} isCompact>
          {result.connector}: no account{run}
        </Label>
      );
    case 'failed':
      return (
        <Label color="red" icon={<ExclamationCircleIcon />} isCompact>
          {result.connector}: failed{run}
        </Label>
      );
    default:
      return (
        <Label color="blue" icon={<InProgressIcon />} isCompact>
          {result.connector}: {result.attempts > 1 ? `retrying (attempt ${result.attempts})` : 'running'}
          {run}
        </Label>
      );
  }
}

/**
 * How the lockdown stands on each connector, said plainly when one failed, with the retry of
 * that connector alone (the API decides who may).
 */
export function DownstreamSummary({ lockdown: given }: { lockdown: Lockdown }) {
  const client = useQueryClient();
  // Downstream runs on after the lockdown finished here (a slow system, an outage): followed until it settles.
  const current = useQuery({
    queryKey: ['lockdown-downstream', given.id],
    queryFn: () => api.get<Lockdown>(`/lockdowns/${given.id}`),
    initialData: given,
    refetchInterval: (state) => (state.state.data?.downstream.some((entry) => entry.pending > 0) ? 2000 : false),
  });
  const lockdown = current.data ?? given;
  const settledAt = current.dataUpdatedAt;
  useEffect(() => {
    void client.invalidateQueries({ queryKey: ['lockdown-results', given.id] });
  }, [client, given.id, settledAt]);
  const retry = useMutation({
    mutationFn: (connectorId: string) => api.post<Retry>(`/lockdowns/${lockdown.id}/downstream/retry`, { connectorId }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['lockdown-downstream', given.id] }),
  });
  if (lockdown.downstream.length === 0) return null;
  const failed = lockdown.downstream.filter((entry) => entry.failed > 0);
  return (
    <div style={{ marginBottom: 'var(--pf-t--global--spacer--md)' }} data-testid="downstream-summary">
      <Flex spaceItems={{ default: 'spaceItemsSm' }} alignItems={{ default: 'alignItemsCenter' }}>
        <strong>Downstream:</strong>
        {lockdown.downstream.map((entry) => (
          <Label key={entry.connectorId ?? entry.connector} color={entry.failed > 0 ? 'red' : entry.pending > 0 ? 'blue' : 'green'} isCompact>
            {entry.connector}: {entry.done} locked, {entry.notFound} without an account, {entry.failed} failed{entry.pending > 0 ? `, ${entry.pending} in progress` : ''}
          </Label>
        ))}
      </Flex>
      {failed.map((entry) => (
        <Alert
          key={entry.connectorId ?? entry.connector}
          variant="danger"
          isInline
          title={`${entry.failed} user(s) could not be locked in ${entry.connector}: they are locked here, not there.`}
          style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}
          actionLinks={
            entry.connectorId && (
              <Button variant="link" isInline onClick={() => retry.mutate(entry.connectorId!)} isLoading={retry.isPending && retry.variables === entry.connectorId}>
                Retry {entry.connector} for them
              </Button>
            )
          }
        >
          Each user’s reason is in the results below. Fix the cause (the connector’s settings, or the system itself), then retry: only this connector runs again, only for them.
        </Alert>
      ))}
      {retry.isSuccess && <Alert variant="info" isInline isPlain title={`Retrying ${retry.data.connector} for ${retry.data.users} user(s).`} />}
      <ErrorAlert error={retry.error} title="The retry was not started" />
    </div>
  );
}
