import {
  Button,
  Card,
  CardBody,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  FlexItem,
  PageSection,
  Stack,
  Tab,
  Tabs,
  TabTitleText,
  Title,
} from '@patternfly/react-core';
import { DownloadIcon, ExternalLinkAltIcon } from '@patternfly/react-icons';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api';
import { ApprovalBanner } from '../components/Approval';
import { LockdownTriggerNotice } from '../components/LockdownTrigger';
import { CancelLockdown } from '../components/CancelLockdown';
import { ErrorAlert } from '../components/ErrorAlert';
import { describeTargets, formatTime, lockdownKind, LockdownStatusLabel, statusText } from '../components/Labels';
import { LockdownProgress, ProgressCounts } from '../components/LockdownProgress';
import { LockdownSummary } from '../components/LockdownSummary';
import { LockdownTimeline } from '../components/LockdownTimeline';
import { ResultsTable, useResultsView } from '../components/ResultsTable';
import { Loading, useMe } from '../session';
import type { Lockdown } from '../types';

/**
 * One lockdown, for whoever may see it: what it is, what it did (summary first, then every
 * user's result), and for its requester and auditors the timeline, the exports and the links
 * to the Temporal Web UI and the raw history. What the viewer may do comes from the API
 * (`viewerMayAnswer`, `viewerMayCancel`, `viewerMayReadHistory`, `approval.viewerMayDecide`).
 */
export function LockdownDetailPage() {
  const { id = '' } = useParams();
  const me = useMe().data;
  const lockdown = useQuery({
    queryKey: ['lockdown', id],
    queryFn: () => api.get<Lockdown>(`/lockdowns/${id}`),
    refetchInterval: (q) => (q.state.data && !q.state.data.finished ? 1500 : false),
  });
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
          {view && ` › ${describeTargets(view, me?.id)}, ${formatTime(view.createdAt)}`}
        </p>
      </PageSection>
      <PageSection>
        {lockdown.isPending && <Loading />}
        <ErrorAlert error={lockdown.error} title="This lockdown cannot be shown" />
        {view && <LockdownBody view={view} />}
      </PageSection>
    </>
  );
}

function LockdownBody({ view }: { view: Lockdown }) {
  const me = useMe().data;
  const results = useResultsView();
  const [tab, setTab] = useState<'results' | 'timeline'>('results');
  const exportLink = (what: 'results' | 'timeline', format: 'csv' | 'jsonl') => `${view.links.self}/export/${what}?format=${format}`;
  return (
    <Stack hasGutter>
      <ApprovalBanner lockdown={view} />
      <LockdownTriggerNotice lockdown={view} />
      <Card isCompact>
        <CardBody>
          <DescriptionList isHorizontal isCompact columnModifier={{ lg: '2Col' }}>
            <Term label="Users">
              {describeTargets(view, me?.id)} ({lockdownKind(view)})
            </Term>
            <Term label="Status">{statusText(view.status)}</Term>
            <Term label="Requested by">{view.actor.username}</Term>
            <Term label="Requested">{formatTime(view.createdAt)}</Term>
            <Term label="Reason">{view.reason ?? (view.finished ? '— (none given: it ended at its prompt)' : '— (not given yet)')}</Term>
            <Term label="Finished">{formatTime(view.completedAt)}</Term>
            <Term label="Containment">
              {view.containment ? `${view.containment.contained}/${view.targetCount} inactive${view.containment.finishedAt ? ` at ${formatTime(view.containment.finishedAt)}` : ' so far'}` : '—'}
            </Term>
            <Term label="Flow">{view.flow.title}</Term>
            <Term label="Workflow">
              <span className="mono">{view.workflowId}</span>
            </Term>
            <Term label="Links">
              <Flex spaceItems={{ default: 'spaceItemsMd' }}>
                <a href={view.links.temporalUi} target="_blank" rel="noreferrer">
                  Temporal Web UI <ExternalLinkAltIcon />
                </a>
                {view.viewerMayReadHistory && (
                  <a href={`${view.links.history}?children=true`} target="_blank" rel="noreferrer">
                    Workflow history (JSON) <ExternalLinkAltIcon />
                  </a>
                )}
              </Flex>
            </Term>
            {view.error && <Term label="Error">{view.error}</Term>}
          </DescriptionList>
          <Flex style={{ marginTop: 'var(--pf-t--global--spacer--md)' }} spaceItems={{ default: 'spaceItemsSm' }} alignItems={{ default: 'alignItemsCenter' }}>
            {view.viewerMayAnswer && (
              <Link to={`/flows/${encodeURIComponent(view.flow.slug)}?lockdown=${view.id}`}>
                <Button component="span">Continue</Button>
              </Link>
            )}
            <CancelLockdown lockdown={view} />
            <FlexItem>Export:</FlexItem>
            <ExportButton href={exportLink('results', 'csv')}>Results (CSV)</ExportButton>
            <ExportButton href={exportLink('results', 'jsonl')}>Results (JSON Lines)</ExportButton>
            {view.viewerMayReadHistory && (
              <>
                <ExportButton href={exportLink('timeline', 'csv')}>Timeline (CSV)</ExportButton>
                <ExportButton href={exportLink('timeline', 'jsonl')}>Timeline (JSON Lines)</ExportButton>
              </>
            )}
          </Flex>
        </CardBody>
      </Card>
      <Card isCompact>
        <CardBody>
          <Tabs activeKey={tab} onSelect={(_event, key) => setTab(key as typeof tab)} aria-label="Lockdown views" mountOnEnter>
            <Tab eventKey="results" title={<TabTitleText>Results</TabTitleText>}>
              <Stack hasGutter style={{ paddingTop: 'var(--pf-t--global--spacer--md)' }}>
                {view.finished ? (
                  <LockdownSummary lockdown={view} view={results} />
                ) : view.status === 'running' ? (
                  <LockdownProgress lockdown={view} />
                ) : (
                  <ProgressCounts lockdown={view} />
                )}
                <ResultsTable lockdown={view} live={!view.finished} view={results} />
              </Stack>
            </Tab>
            {view.viewerMayReadHistory && (
              <Tab eventKey="timeline" title={<TabTitleText>Timeline</TabTitleText>}>
                <div style={{ paddingTop: 'var(--pf-t--global--spacer--md)' }}>
                  <LockdownTimeline lockdownId={view.id} />
                </div>
              </Tab>
            )}
          </Tabs>
        </CardBody>
      </Card>
    </Stack>
  );
}

function ExportButton({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Button component="a" href={href} download variant="secondary" size="sm" icon={<DownloadIcon />}>
      {children}
    </Button>
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

