import {
  Button,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  PageSection,
  Stack,
  Title,
} from '@patternfly/react-core';
import { ExternalLinkAltIcon } from '@patternfly/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { isFinished } from '../../../domain/lockdown-status';
import { api } from '../api';
import { ApprovalBanner } from '../components/Approval';
import { LockdownTriggerNotice } from '../components/LockdownTrigger';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatTime, LockdownStatusLabel } from '../components/Labels';
import { LockdownProgress } from '../components/LockdownProgress';
import { ResultsTable } from '../components/ResultsTable';
import { Loading, useMe } from '../session';
import type { Lockdown } from '../types';

export function LockdownDetailPage() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const me = useMe().data;
  const lockdown = useQuery({
    queryKey: ['lockdown', id],
    queryFn: () => api.get<Lockdown>(`/lockdowns/${id}`),
    refetchInterval: (q) => (q.state.data && !isFinished(q.state.data.status) ? 1500 : false),
  });
  const cancel = useMutation({ mutationFn: () => api.post<Lockdown>(`/lockdowns/${id}/cancel`), onSuccess: (next) => client.setQueryData(['lockdown', id], next) });
  const view = lockdown.data;
  return (
    <>
      <PageSection>
        <Flex alignItems={{ default: 'alignItemsCenter' }} spaceItems={{ default: 'spaceItemsSm' }}>
          <Title headingLevel="h1">Lockdown</Title>
          {view && <LockdownStatusLabel status={view.status} />}
        </Flex>
        <p>
          <Link to="/lockdowns">Lockdowns</Link>
        </p>
      </PageSection>
      <PageSection>
        {lockdown.isPending && <Loading />}
        <ErrorAlert error={lockdown.error} title="This lockdown cannot be shown" />
        {view && (
          <Stack hasGutter>
            <ApprovalBanner lockdown={view} />
            <LockdownTriggerNotice lockdown={view} />
            <Card>
              <CardBody>
                <DescriptionList isHorizontal columnModifier={{ lg: '2Col' }}>
                  <Term label="Status">{view.status.replace('_', ' ')}</Term>
                  <Term label="Users">{view.progress.total}</Term>
                  <Term label="Requested by">
                    {view.actor.username}
                    {view.selfService ? ' (self-service)' : ''}
                  </Term>
                  <Term label="Requested">{formatTime(view.createdAt)}</Term>
                  <Term label="Finished">{formatTime(view.completedAt)}</Term>
                  <Term label="Reason">{view.reason ?? '—'}</Term>
                  <Term label="Flow">{view.flow.title}</Term>
                  <Term label="Workflow">
                    <span className="mono">{view.workflowId}</span>
                  </Term>
                  <Term label="Links">
                    <Flex spaceItems={{ default: 'spaceItemsMd' }}>
                      <a href={view.links.temporalUi} target="_blank" rel="noreferrer">
                        Temporal Web UI <ExternalLinkAltIcon />
                      </a>
                      <a href={`${view.links.history}?children=true`} target="_blank" rel="noreferrer">
                        Workflow history (JSON) <ExternalLinkAltIcon />
                      </a>
                    </Flex>
                  </Term>
                  {view.error && <Term label="Error">{view.error}</Term>}
                </DescriptionList>
                <Flex style={{ marginTop: '1rem' }}>
                  {view.status === 'awaiting_input' && view.actor.id === me?.id && (
                    <Link to={`/flows/${encodeURIComponent(view.flow.slug)}?lockdown=${view.id}`}>
                      <Button component="span">Continue</Button>
                    </Link>
                  )}
                  {!isFinished(view.status) && (view.actor.id === me?.id || me?.isSuperuser) && (
                    <Button variant="secondary" onClick={() => cancel.mutate()} isLoading={cancel.isPending}>
                      Cancel
                    </Button>
                  )}
                </Flex>
                <ErrorAlert error={cancel.error} title="The lockdown could not be cancelled" />
              </CardBody>
            </Card>
            <Card>
              <CardTitle component="h2">Progress and results</CardTitle>
              <CardBody>
                <LockdownProgress lockdown={view} />
                <ResultsTable lockdown={view} live={!isFinished(view.status)} />
              </CardBody>
            </Card>
          </Stack>
        )}
      </PageSection>
    </>
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
