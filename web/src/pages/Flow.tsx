import { Alert, Button, Card, CardBody, CardFooter, CardTitle, Flex, PageSection, Stack, StackItem, Title } from '@patternfly/react-core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { isFinished } from '../../../domain/lockdown-status';
import { api, ApiError, forgetCsrfToken } from '../api';
import { ApprovalBanner } from '../components/Approval';
import { ErrorAlert } from '../components/ErrorAlert';
import { LockdownProgress } from '../components/LockdownProgress';
import { PromptForm } from '../components/PromptForm';
import { ResultsTable } from '../components/ResultsTable';
import { SafeHtml } from '../components/SafeHtml';
import { Loading } from '../session';
import type { FlowExecutor, Lockdown } from '../types';

/** `/flows/<slug>`: a lockdown run through its flow (with `?lockdown=`), or the flow's own page (the completion page). */
export function FlowPage() {
  const [search] = useSearchParams();
  const lockdownId = search.get('lockdown');
  return lockdownId ? <LockdownFlow id={lockdownId} /> : <StandaloneFlow />;
}

function LockdownFlow({ id }: { id: string }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const lockdown = useQuery({
    queryKey: ['lockdown', id],
    queryFn: () => api.get<Lockdown>(`/lockdowns/${id}`),
    // Live progress: poll while the run is underway.
    refetchInterval: (q) => (q.state.data && !isFinished(q.state.data.status) && q.state.data.status !== 'awaiting_input' ? 1000 : false),
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
    if (next.selfService && (next.completion || isFinished(next.status))) return finishSelfService(next);
    client.setQueryData(['lockdown', id], next);
    void client.invalidateQueries({ queryKey: ['lockdown-results', id] });
  }

  async function cancel() {
    const next = await api.post<Lockdown>(`/lockdowns/${id}/cancel`).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 409) return null;
      throw err;
    });
    if (next) client.setQueryData(['lockdown', id], next);
    if (next?.status === 'cancelled' && view?.status === 'awaiting_input') navigate(-1);
  }

  const title = view?.flow.title ?? 'Account lockdown';
  const targets = view ? (view.selfService ? 'your account' : `${view.progress.total} user${view.progress.total === 1 ? '' : 's'}`) : '';
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">{title}</Title>
        {view && (
          <p>
            Lockdown of {targets} · <Link to={`/lockdowns/${view.id}`}>details</Link>
          </p>
        )}
      </PageSection>
      <PageSection>
        {lockdown.isPending && <Loading />}
        <ErrorAlert error={lockdown.error} title="This lockdown cannot be shown" />
        {view && <LockdownStage view={view} onSubmit={submit} onCancel={cancel} onSelfServiceDone={finishSelfService} />}
      </PageSection>
    </>
  );
}

function LockdownStage({
  view,
  onSubmit,
  onCancel,
  onSelfServiceDone,
}: {
  view: Lockdown;
  onSubmit: (values: Record<string, string>) => Promise<unknown>;
  onCancel: () => Promise<void>;
  onSelfServiceDone: (view: Lockdown) => void;
}) {
  const finished = isFinished(view.status);
  useEffect(() => {
    if (view.selfService && finished) onSelfServiceDone(view);
  }, [view, finished, onSelfServiceDone]);

  if (view.status === 'awaiting_input' && view.stage) {
    return (
      <Card>
        <CardBody>
          <PromptForm key={view.stage.name} stage={view.stage} onSubmit={onSubmit} onCancel={() => void onCancel()} />
        </CardBody>
      </Card>
    );
  }
  if (view.status === 'awaiting_approval') {
    return (
      <Stack hasGutter>
        <ApprovalBanner lockdown={view} />
        <Flex>
          <Button variant="secondary" onClick={() => void onCancel()}>
            Cancel the request
          </Button>
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
            <LockdownProgress lockdown={view} />
          </CardBody>
          {view.progress.total > 1 && (
            <CardFooter>
              <Button variant="secondary" onClick={() => void onCancel()}>
                Cancel
              </Button>
            </CardFooter>
          )}
        </Card>
        <Card>
          <CardTitle component="h2">Results</CardTitle>
          <CardBody>
            <ResultsTable lockdown={view} live />
          </CardBody>
        </Card>
      </Stack>
    );
  }
  // Rejected and expired approvals locked nobody: the approval banner says so and by whom.
  // A prompt nobody answered also ends `expired`: the summary says so, `error` says why.
  const summary =
    view.approval && (view.status === 'rejected' || view.status === 'expired')
      ? null
      : view.status === 'expired'
        ? { variant: 'warning' as const, title: 'Lockdown expired: nobody was locked' }
        : view.status === 'completed' && view.progress.failed === 0
          ? { variant: 'success' as const, title: `Lockdown completed: ${view.progress.locked} of ${view.progress.total} locked` }
          : view.status === 'cancelled'
            ? { variant: 'warning' as const, title: `Lockdown cancelled: ${view.progress.locked} locked, ${view.progress.cancelled} not started` }
            : { variant: 'danger' as const, title: `Lockdown finished with failures: ${view.progress.failed} of ${view.progress.total} failed` };
  return (
    <Stack hasGutter>
      {summary && (
        <StackItem>
          <Alert variant={summary.variant} isInline title={summary.title} data-testid="lockdown-summary">
            {view.error}
          </Alert>
        </StackItem>
      )}
      {view.approval && (
        <StackItem>
          <ApprovalBanner lockdown={view} />
        </StackItem>
      )}
      {view.stage && (
        <StackItem>
          <Card>
            <CardBody>
              <PromptForm stage={view.stage} />
            </CardBody>
          </Card>
        </StackItem>
      )}
      <StackItem>
        <Card>
          <CardTitle component="h2">Results</CardTitle>
          <CardBody>
            <LockdownProgress lockdown={view} />
            <ResultsTable lockdown={view} live={false} />
          </CardBody>
        </Card>
      </StackItem>
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
