import { Alert, Button, Card, CardBody, CardFooter, CardTitle, Flex, PageSection, Stack, StackItem, Title } from '@patternfly/react-core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, ApiError, forgetCsrfToken } from '../api';
import { ApprovalBanner } from '../components/Approval';
import { CancelLockdown } from '../components/CancelLockdown';
import { ErrorAlert } from '../components/ErrorAlert';
import { describeTargets } from '../components/Labels';
import { LockdownProgress } from '../components/LockdownProgress';
import { LockdownSummary } from '../components/LockdownSummary';
import { PromptForm } from '../components/PromptForm';
import { ResultsTable, useResultsView } from '../components/ResultsTable';
import { SafeHtml } from '../components/SafeHtml';
import { Loading, useMe } from '../session';
import type { FlowExecutor, Lockdown, RenderedStage } from '../types';

/** `/flows/<slug>`: a lockdown run through its flow (with `?lockdown=`), or the flow's own page (the completion page). */
export function FlowPage() {
  const [search] = useSearchParams();
  const lockdownId = search.get('lockdown');
  return lockdownId ? <LockdownFlow id={lockdownId} /> : <StandaloneFlow />;
}

function LockdownFlow({ id }: { id: string }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const me = useMe().data;
  const lockdown = useQuery({
    queryKey: ['lockdown', id],
    queryFn: () => api.get<Lockdown>(`/lockdowns/${id}`),
    // Live progress: poll while the run is underway.
    refetchInterval: (q) => (q.state.data && !q.state.data.finished && q.state.data.status !== 'awaiting_input' ? 1000 : false),
  });
  const view = lockdown.data;

  /** A self-service run ends without a session: leave the console for the completion page or message. */
  function finishSelfService(done: Lockdown) {
    forgetCsrfToken();
    if (done.completion?.redirect) {
      window.location.assign(done.completion.redirect);
      return;
    }
    navigate(`/flows/${encodeURIComponent(done.flow.slug)}`, { replace: true, state: { completion: done.completion?.message ?? null, error: done.error } });
    client.clear();
    client.setQueryData(['me'], null);
  }

  async function submit(values: Record<string, string>) {
    const next = await api.post<Lockdown>(`/lockdowns/${id}/stage`, values);
    if (next.selfService && (next.completion || next.finished)) return finishSelfService(next);
    client.setQueryData(['lockdown', id], next);
  }

  /** Leaving the prompt: nobody was touched, so no confirmation; back to where the lockdown was started. */
  async function leavePrompt() {
    const next = await api.post<Lockdown>(`/lockdowns/${id}/cancel`).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 409) return null;
      throw err;
    });
    if (next) client.setQueryData(['lockdown', id], next);
    void client.invalidateQueries({ queryKey: ['lockdowns'] });
    if (next?.status === 'cancelled') navigate(-1);
  }

  const title = view?.flow.title ?? 'Account lockdown';
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">{title}</Title>
        {view && (
          <p>
            Lockdown of {describeTargets(view, me?.id)} · <Link to={`/lockdowns/${view.id}`}>details</Link>
          </p>
        )}
      </PageSection>
      <PageSection>
        {lockdown.isPending && <Loading />}
        <ErrorAlert error={lockdown.error} title="This lockdown cannot be shown" />
        {view && <LockdownStage view={view} onSubmit={submit} onLeavePrompt={leavePrompt} onSelfServiceDone={finishSelfService} />}
      </PageSection>
    </>
  );
}

function LockdownStage({
  view,
  onSubmit,
  onLeavePrompt,
  onSelfServiceDone,
}: {
  view: Lockdown;
  onSubmit: (values: Record<string, string>) => Promise<unknown>;
  onLeavePrompt: () => Promise<void>;
  onSelfServiceDone: (view: Lockdown) => void;
}) {
  const results = useResultsView();
  const { finished } = view;
  // The result takes the focus only when this page saw the run end (not when it is opened afterwards).
  const sawItRun = useRef(!finished);
  useEffect(() => {
    if (view.selfService && finished) onSelfServiceDone(view);
  }, [view, finished, onSelfServiceDone]);

  if (view.status === 'awaiting_input' && view.stage) {
    return (
      <Stack hasGutter>
        <Card>
          <CardBody>
            <PromptForm key={view.stage.name} stage={view.stage} onSubmit={onSubmit} onCancel={view.viewerMayAnswer ? () => void onLeavePrompt() : undefined} />
          </CardBody>
        </Card>
        {view.targetCount > 1 && (
          <Card>
            <CardTitle component="h2">Who will be locked: {view.targetCount} users</CardTitle>
            <CardBody>
              <ResultsTable lockdown={view} live={false} view={results} />
            </CardBody>
          </Card>
        )}
      </Stack>
    );
  }
  if (view.status === 'awaiting_approval') {
    return (
      <Stack hasGutter>
        <ApprovalBanner lockdown={view} />
        <Flex>
          <CancelLockdown lockdown={view} label="Cancel the request" />
        </Flex>
      </Stack>
    );
  }
  if (!finished) {
    return (
      <Stack hasGutter>
        <Card>
          <CardTitle component="h2">Locking {view.progress.total === 1 ? 'the account' : `${view.progress.total} accounts`}…</CardTitle>
          <CardBody>
            {view.containment?.finishedAt && view.containment.contained === view.targetCount && view.targetCount > 1 && (
              <Alert variant="success" isInline isPlain title={`Contained ${view.containment.contained}/${view.targetCount}: every account is inactive, none of their credentials works.`} className="containment-note">
                Each user’s password, sessions and tokens are being dealt with now, {view.progress.pending} to go.
              </Alert>
            )}
            <LockdownProgress lockdown={view} />
          </CardBody>
          {view.progress.total > 1 && (
            <CardFooter>
              <CancelLockdown lockdown={view} />
            </CardFooter>
          )}
        </Card>
        <Card>
          <CardTitle component="h2">Results per user</CardTitle>
          <CardBody>
            <ResultsTable lockdown={view} live view={results} />
          </CardBody>
        </Card>
      </Stack>
    );
  }
  // One user: the results prompt's line belongs in the summary; for a bulk run it is only a summary again, shown after the table.
  const single = view.targetCount === 1;
  return (
    <Stack hasGutter>
      {view.approval && (
        <StackItem>
          <ApprovalBanner lockdown={view} />
        </StackItem>
      )}
      <StackItem>
        <LockdownSummary lockdown={view} view={results} focusOnMount={sawItRun.current} message={single && view.stage ? <ResultsPrompt stage={view.stage} /> : undefined} />
      </StackItem>
      <StackItem>
        <Card isCompact>
          <CardTitle component="h2">Results per user</CardTitle>
          <CardBody>
            <ResultsTable lockdown={view} live={false} view={results} />
          </CardBody>
        </Card>
      </StackItem>
      {!single && view.stage && (
        <StackItem>
          <Card isCompact>
            <CardBody>
              <ResultsPrompt stage={view.stage} />
            </CardBody>
          </Card>
        </StackItem>
      )}
      <StackItem>
        <Flex>
          <Link to="/users">
            <Button variant="primary" component="span">
              Back to users
            </Button>
          </Link>
          <Link to={`/lockdowns/${view.id}`}>
            <Button variant="secondary" component="span">
              Lockdown details
            </Button>
          </Link>
        </Flex>
      </StackItem>
    </Stack>
  );
}

/** The flow's results prompt as the API rendered it: display only, its messages without an alert of their own. */
function ResultsPrompt({ stage }: { stage: RenderedStage }) {
  return (
    <div className="results-prompt" data-testid="results-prompt">
      {stage.fields
        .filter((field) => field.type.startsWith('alert_'))
        .map((field) => (
          <SafeHtml key={field.fieldKey} html={field.initialValue} className="prompt-html" />
        ))}
    </div>
  );
}

/** The flow's own page, reachable without a session: e.g. the self-service completion flow. */
function StandaloneFlow() {
  const { slug = '' } = useParams();
  const location = useLocation();
  const state = (location.state ?? {}) as { completion?: { title: string; body: string } | null; error?: string | null };
  const executor = useQuery({
    queryKey: ['flow-executor', slug],
    queryFn: () => api.getAnonymous<FlowExecutor>(`/flows/${encodeURIComponent(slug)}/executor`),
    enabled: !state.completion,
    retry: false,
  });
  const heading = state.completion?.title ?? executor.data?.flow.title ?? (executor.isError ? 'Flow unavailable' : 'Loading…');
  useEffect(() => {
    document.title = `${heading} · Account Lockdown`;
  }, [heading]);

  let body;
  if (state.completion) body = <SafeHtml html={state.completion.body} className="prompt-html" />;
  else if (executor.isPending) body = <Loading />;
  else if (executor.error instanceof ApiError && executor.error.status === 401)
    body = (
      <Alert variant="info" isInline title="This page requires you to log in.">
        <Link to="/login" state={{ from: `/flows/${slug}` }}>
          Log in
        </Link>
      </Alert>
    );
  else if (executor.error) body = <ErrorAlert error={executor.error} title="This flow cannot be shown" />;
  else if (executor.data?.stage) {
    const hasInputs = executor.data.stage.fields.some((field) => ['text', 'text_area'].includes(field.type));
    body = hasInputs ? (
      <Alert variant="info" isInline title="Start this flow from the console">
        Lockdowns start from <Link to="/users">Directory › Users</Link> or <Link to="/settings">Settings › Account Lockdown</Link>.
      </Alert>
    ) : (
      <PromptForm stage={executor.data.stage} />
    );
  } else body = <p>This flow has nothing to show.</p>;

  return (
    <main className="standalone" id="main-content">
      <Card>
        <CardTitle>
          <Title headingLevel="h1" size="xl">
            {heading}
          </Title>
        </CardTitle>
        <CardBody>
          {state.error && (
            <Alert variant="danger" isInline title="Not everything could be locked" style={{ marginBottom: '1rem' }}>
              {state.error}
            </Alert>
          )}
          {body}
        </CardBody>
        <CardFooter>
          <Link to="/login">Go to the login page</Link>
        </CardFooter>
      </Card>
    </main>
  );
}
