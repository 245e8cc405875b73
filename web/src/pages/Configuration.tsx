import {
  ActionGroup,
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Checkbox,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  HelperTextItem,
  Label,
  PageSection,
  Stack,
  Switch,
  Tab,
  Tabs,
  TabTitleText,
  TextArea,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { api, query } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { EventActionOptions, useEventActions } from '../components/EventActions';
import { Field, useFormErrors } from '../components/FormField';
import { Loading, useCapabilities } from '../session';
import type {
  AccountLockdownStage,
  AlertPer,
  Brand,
  CreateEventMatcherPolicy,
  CreateNotificationRule,
  CreateNotificationTransport,
  EventMatcherPolicy,
  Flow,
  Group,
  NotificationRule,
  NotificationTransport,
  Page,
  PromptStage,
  User,
} from '../types';

const TABS = [
  ['brands', 'Brands'],
  ['stages', 'Account Lockdown stage'],
  ['prompts', 'Prompts'],
  ['policies', 'Event matcher policies'],
  ['transports', 'Notification transports'],
  ['rules', 'Notification rules'],
  ['groups', 'Groups'],
] as const;

/** Configuration: what the API refuses is shown beside the field, never as a blank page. */
export function ConfigurationPage() {
  const [search, setSearch] = useSearchParams();
  const tab = search.get('tab') ?? 'brands';
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Configuration</Title>
      </PageSection>
      <PageSection>
        <Tabs activeKey={tab} onSelect={(_event, key) => setSearch({ tab: String(key) })} aria-label="Configuration sections" mountOnEnter unmountOnExit>
          {TABS.map(([key, title]) => (
            <Tab key={key} eventKey={key} title={<TabTitleText>{title}</TabTitleText>}>
              <div style={{ paddingTop: '1rem' }}>
                {key === 'brands' && <Brands />}
                {key === 'stages' && <LockdownStages />}
                {key === 'prompts' && <Prompts />}
                {key === 'policies' && <Policies />}
                {key === 'transports' && <Transports />}
                {key === 'rules' && <Rules />}
                {key === 'groups' && <Groups />}
              </div>
            </Tab>
          ))}
        </Tabs>
      </PageSection>
    </>
  );
}

function useList<T>(path: string) {
  return useQuery({ queryKey: ['config', path], queryFn: () => api.get<Page<T>>(`${path}${query({ limit: 200 })}`) });
}

function Brands() {
  const client = useQueryClient();
  const brands = useList<Brand>('/brands');
  const flows = useList<Flow>('/flows');
  if (brands.isPending || flows.isPending) return <Loading />;
  return (
    <Stack hasGutter>
      <ErrorAlert error={brands.error ?? flows.error} />
      <p>Each brand names its Lockdown flow: the flow a lockdown requested on the brand’s domain runs. Without one, lockdowns are refused with “No lockdown flow configured”.</p>
      {brands.data?.items.map((brand) => (
        <BrandForm key={brand.id} brand={brand} flows={flows.data?.items ?? []} onSaved={() => client.invalidateQueries({ queryKey: ['config', '/brands'] })} />
      ))}
    </Stack>
  );
}

/** Why a security setting is read-only for this viewer; the API refuses it to anyone but a superuser (capabilities say who may). */
const SUPERUSER_ONLY = 'A security setting: only a superuser can change it.';

function BrandForm({ brand, flows, onSaved }: { brand: Brand; flows: Flow[]; onSaved: () => void }) {
  const mayChange = useCapabilities().data?.changeSecuritySettings ?? false;
  const [flow, setFlow] = useState(brand.flowLockdown ?? '');
  const form = useFormErrors();
  const save = useMutation({ mutationFn: () => api.patch<Brand>(`/brands/${brand.id}`, { flowLockdown: flow || null }), onSuccess: onSaved, onError: form.take });
  return (
    <Card>
      <CardTitle component="h2">
        Brand {brand.domain} {brand.isDefault && <Label isCompact>default</Label>}
      </CardTitle>
      <CardBody>
        <Form
          onSubmit={(event) => {
            event.preventDefault();
            form.clear();
            save.mutate();
          }}
        >
          <Field label="Lockdown flow" id={`brand-${brand.id}-flow`} error={form.errors.flowLockdown} helper={mayChange ? undefined : SUPERUSER_ONLY}>
            <FormSelect id={`brand-${brand.id}-flow`} value={flow} onChange={(_event, value) => setFlow(value)} isDisabled={!mayChange}>
              <FormSelectOption value="" label="— none —" />
              {flows.map((option) => (
                <FormSelectOption key={option.slug} value={option.slug} label={`${option.slug} (${option.title})`} />
              ))}
            </FormSelect>
          </Field>
          <ErrorAlert error={form.failure} title="The brand was not saved" />
          {save.isSuccess && <Alert variant="success" isInline isPlain title="Saved." />}
          <ActionGroup>
            <Button type="submit" isLoading={save.isPending} isDisabled={!mayChange}>
              Save
            </Button>
          </ActionGroup>
        </Form>
      </CardBody>
    </Card>
  );
}

function LockdownStages() {
  const stages = useList<AccountLockdownStage>('/stages/account_lockdown');
  const flows = useList<Flow>('/flows');
  if (stages.isPending || flows.isPending) return <Loading />;
  return (
    <Stack hasGutter>
      <ErrorAlert error={stages.error ?? flows.error} />
      {stages.data?.items.map((stage) => <LockdownStageForm key={stage.id} stage={stage} flows={flows.data?.items ?? []} />)}
    </Stack>
  );
}

const SWITCHES = [
  ['deactivateUser', 'Deactivate user', 'The user can no longer log in.'],
  ['setUnusablePassword', 'Set unusable password', 'Invalidates the user’s password.'],
  ['deleteSessions', 'Delete sessions', 'Logs the user out of every device and application.'],
  ['revokeTokens', 'Revoke tokens', 'API, app password, recovery and verification tokens.'],
] as const;

function LockdownStageForm({ stage, flows }: { stage: AccountLockdownStage; flows: Flow[] }) {
  const client = useQueryClient();
  const mayChangeSecurity = useCapabilities().data?.changeSecuritySettings ?? false;
  const [draft, setDraft] = useState(stage);
  const form = useFormErrors();
  // The switches are security settings: sent only by whoever may change them, so the rest of the form saves for the others.
  const securitySwitches = mayChangeSecurity
    ? { deactivateUser: draft.deactivateUser, setUnusablePassword: draft.setUnusablePassword, deleteSessions: draft.deleteSessions, revokeTokens: draft.revokeTokens, requireApproval: draft.requireApproval }
    : {};
  const save = useMutation({
    mutationFn: () =>
      api.patch<AccountLockdownStage>(`/stages/account_lockdown/${stage.id}`, {
        ...securitySwitches,
        selfServiceMessageTitle: draft.selfServiceMessageTitle,
        selfServiceMessage: draft.selfServiceMessage,
        completionFlow: draft.completionFlow || null,
      }),
    onSuccess: (saved) => {
      setDraft(saved);
      void client.invalidateQueries({ queryKey: ['config', '/stages/account_lockdown'] });
    },
    onError: form.take,
  });
  return (
    <Card>
      <CardTitle component="h2">{stage.name}</CardTitle>
      <CardBody>
        <Form
          onSubmit={(event) => {
            event.preventDefault();
            form.clear();
            save.mutate();
          }}
        >
          {!mayChangeSecurity && (
            <Alert variant="info" isInline isPlain title="The actions and the approval switch are security settings: only a superuser can change them." data-testid="security-settings-note" />
          )}
          <FormGroup role="group" label="Actions" fieldId={`${stage.id}-actions`}>
            <Stack hasGutter>
              {SWITCHES.map(([key, label, help]) => (
                <Switch
                  key={key}
                  id={`${stage.id}-${key}`}
                  label={`${label} — ${help}${mayChangeSecurity ? '' : draft[key] ? ' (on)' : ' (off)'}`}
                  isChecked={draft[key]}
                  isDisabled={!mayChangeSecurity}
                  onChange={(_event, checked) => setDraft({ ...draft, [key]: checked })}
                />
              ))}
            </Stack>
          </FormGroup>
          <FormGroup role="group" label="Two-person approval" fieldId={`${stage.id}-approval`}>
            <Switch
              id={`${stage.id}-requireApproval`}
              label={`Require approval — a bulk lockdown of more users than the approval threshold waits until a second administrator approves it${mayChangeSecurity ? '' : draft.requireApproval ? ' (on)' : ' (off)'}`}
              isChecked={draft.requireApproval}
              isDisabled={!mayChangeSecurity}
              onChange={(_event, checked) => setDraft({ ...draft, requireApproval: checked })}
            />
          </FormGroup>
          <Field label="Completion flow" id={`${stage.id}-completion`} error={form.errors.completionFlow} helper="Where a self-service lockdown ends; the flow needs “No authentication required”. Without one, the message below is shown.">
            <FormSelect id={`${stage.id}-completion`} value={draft.completionFlow ?? ''} onChange={(_event, value) => setDraft({ ...draft, completionFlow: value || null })}>
              <FormSelectOption value="" label="— none: show the message —" />
              {flows.map((flow) => (
                <FormSelectOption key={flow.slug} value={flow.slug} label={`${flow.slug} (${flow.authentication === 'none' ? 'no authentication' : 'needs login'})`} />
              ))}
            </FormSelect>
          </Field>
          <Field label="Self-service message title" id={`${stage.id}-title`} error={form.errors.selfServiceMessageTitle}>
            <TextInput id={`${stage.id}-title`} value={draft.selfServiceMessageTitle} onChange={(_event, value) => setDraft({ ...draft, selfServiceMessageTitle: value })} />
          </Field>
          <Field label="Self-service message (HTML)" id={`${stage.id}-message`} error={form.errors.selfServiceMessage}>
            <TextArea id={`${stage.id}-message`} rows={4} value={draft.selfServiceMessage} onChange={(_event, value) => setDraft({ ...draft, selfServiceMessage: value })} />
          </Field>
          <ErrorAlert error={form.failure} title="The stage was not saved" />
          {save.isSuccess && <Alert variant="success" isInline isPlain title="Saved." />}
          <ActionGroup>
            <Button type="submit" isLoading={save.isPending}>
              Save
            </Button>
          </ActionGroup>
        </Form>
      </CardBody>
    </Card>
  );
}

function Prompts() {
  const prompts = useList<PromptStage>('/stages/prompt');
  if (prompts.isPending) return <Loading />;
  return (
    <Stack hasGutter>
      <ErrorAlert error={prompts.error} />
      <p>
        Prompt stages show warnings and collect the reason. Alert texts are Liquid templates; bulk lockdowns use <code>lockdown_target_users</code> (a list), single ones may also use{' '}
        <code>lockdown_target_user</code>. Edit them through the API (<code>PATCH /api/v1/stages/prompt/:id</code>).
      </p>
      {prompts.data?.items.map((prompt) => (
        <Card key={prompt.id}>
          <CardTitle component="h2">{prompt.name}</CardTitle>
          <CardBody>
            <Table aria-label={`Fields of ${prompt.name}`} variant="compact">
              <Thead>
                <Tr>
                  <Th>Order</Th>
                  <Th>Field key</Th>
                  <Th>Label</Th>
                  <Th>Type</Th>
                  <Th>Required</Th>
                </Tr>
              </Thead>
              <Tbody>
                {prompt.fields.map((field) => (
                  <Tr key={field.fieldKey}>
                    <Td dataLabel="Order">{field.order}</Td>
                    <Td dataLabel="Field key">{field.fieldKey}</Td>
                    <Td dataLabel="Label">{field.label}</Td>
                    <Td dataLabel="Type">{field.type.replace('_', ' ')}</Td>
                    <Td dataLabel="Required">{field.required ? 'yes' : 'no'}</Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          </CardBody>
        </Card>
      ))}
    </Stack>
  );
}

function CreateCard({ title, children, onSubmit, busy, failure, done }: { title: string; children: ReactNode; onSubmit: () => void; busy: boolean; failure: unknown; done: boolean }) {
  return (
    <Card>
      <CardTitle component="h2">{title}</CardTitle>
      <CardBody>
        <Form
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            onSubmit();
          }}
        >
          {children}
          <ErrorAlert error={failure} title="Not created" />
          {done && <Alert variant="success" isInline isPlain title="Created." />}
          <ActionGroup>
            <Button type="submit" isLoading={busy}>
              Create
            </Button>
          </ActionGroup>
        </Form>
      </CardBody>
    </Card>
  );
}

function Policies() {
  const client = useQueryClient();
  const actions = useEventActions();
  const policies = useList<EventMatcherPolicy>('/policies/event_matcher');
  const [draft, setDraft] = useState({ name: '', action: 'account_lockdown_triggered', clientIp: '' });
  const form = useFormErrors();
  const create = useMutation({
    mutationFn: () => {
      const body: CreateEventMatcherPolicy = { name: draft.name, ...(draft.action ? { action: draft.action } : {}), ...(draft.clientIp ? { clientIp: draft.clientIp } : {}) };
      return api.post<EventMatcherPolicy>('/policies/event_matcher', body);
    },
    onSuccess: () => {
      setDraft({ name: '', action: 'account_lockdown_triggered', clientIp: '' });
      void client.invalidateQueries({ queryKey: ['config', '/policies/event_matcher'] });
    },
    onError: form.take,
  });
  return (
    <Stack hasGutter>
      <CreateCard
        title="Create an Event Matcher Policy"
        busy={create.isPending}
        failure={form.failure}
        done={create.isSuccess}
        onSubmit={() => {
          form.clear();
          create.mutate();
        }}
      >
        <Field label="Name" id="policy-name" isRequired error={form.errors.name}>
          <TextInput id="policy-name" value={draft.name} onChange={(_event, value) => setDraft({ ...draft, name: value })} isRequired />
        </Field>
        <Field label="Action" id="policy-action" error={form.errors.action}>
          <FormSelect id="policy-action" value={draft.action} onChange={(_event, value) => setDraft({ ...draft, action: value })}>
            <FormSelectOption value="" label="— any —" />
            <EventActionOptions items={actions.items} />
          </FormSelect>
        </Field>
        <Field label="Client IP" id="policy-ip" error={form.errors.clientIp} helper="Optional: match only events requested from this address.">
          <TextInput id="policy-ip" value={draft.clientIp} onChange={(_event, value) => setDraft({ ...draft, clientIp: value })} />
        </Field>
      </CreateCard>
      <SimpleTable
        label="Event matcher policies"
        columns={['Name', 'Action', 'Client IP']}
        rows={(policies.data?.items ?? []).map((policy) => [policy.id, policy.name, policy.action ? actions.label(policy.action) : 'any', policy.clientIp ?? 'any'])}
      />
    </Stack>
  );
}

function Transports() {
  const client = useQueryClient();
  const transports = useList<NotificationTransport>('/notification_transports');
  const [draft, setDraft] = useState({ name: '', mode: 'local' as 'local' | 'webhook' | 'email', webhookUrl: '', webhookSecret: '', emailTo: '' });
  const form = useFormErrors();
  const create = useMutation({
    mutationFn: () => {
      const body: CreateNotificationTransport =
        draft.mode === 'webhook'
          ? { name: draft.name, mode: 'webhook', webhookUrl: draft.webhookUrl, ...(draft.webhookSecret ? { webhookSecret: draft.webhookSecret } : {}) }
          : draft.mode === 'email'
            ? { name: draft.name, mode: 'email', ...(draft.emailTo ? { email: { to: draft.emailTo } } : {}) }
            : { name: draft.name, mode: 'local' };
      return api.post<NotificationTransport>('/notification_transports', body);
    },
    onSuccess: () => {
      setDraft({ ...draft, name: '', webhookUrl: '', webhookSecret: '', emailTo: '' });
      void client.invalidateQueries({ queryKey: ['config', '/notification_transports'] });
    },
    onError: form.take,
  });
  return (
    <Stack hasGutter>
      <CreateCard
        title="Create a notification transport"
        busy={create.isPending}
        failure={form.failure}
        done={create.isSuccess}
        onSubmit={() => {
          form.clear();
          create.mutate();
        }}
      >
        <Field label="Name" id="transport-name" isRequired error={form.errors.name}>
          <TextInput id="transport-name" value={draft.name} onChange={(_event, value) => setDraft({ ...draft, name: value })} isRequired />
        </Field>
        <Field label="Mode" id="transport-mode" error={form.errors.mode}>
          <FormSelect id="transport-mode" value={draft.mode} onChange={(_event, value) => setDraft({ ...draft, mode: value as typeof draft.mode })}>
            <FormSelectOption value="local" label="Local (in-app inbox)" />
            <FormSelectOption value="webhook" label="Webhook" />
            <FormSelectOption value="email" label="Email" />
          </FormSelect>
        </Field>
        {draft.mode === 'webhook' && (
          <>
            <Field label="Webhook URL" id="transport-url" isRequired error={form.errors.webhookUrl}>
              <TextInput id="transport-url" type="url" value={draft.webhookUrl} onChange={(_event, value) => setDraft({ ...draft, webhookUrl: value })} />
            </Field>
            <Field label="Signing secret" id="transport-secret" error={form.errors.webhookSecret} helper="Optional, at least 16 characters; write-only.">
              <TextInput id="transport-secret" type="password" value={draft.webhookSecret} onChange={(_event, value) => setDraft({ ...draft, webhookSecret: value })} />
            </Field>
          </>
        )}
        {draft.mode === 'email' && (
          <Field label="Send to" id="transport-email" error={form.errors['email.to']} helper="Optional: one address instead of each group member’s.">
            <TextInput id="transport-email" type="email" value={draft.emailTo} onChange={(_event, value) => setDraft({ ...draft, emailTo: value })} />
          </Field>
        )}
      </CreateCard>
      <SimpleTable
        label="Notification transports"
        columns={['Name', 'Mode', 'Destination']}
        rows={(transports.data?.items ?? []).map((transport) => [
          transport.id,
          transport.name,
          transport.mode,
          transport.mode === 'webhook' ? `${transport.webhookUrl}${transport.hasSecret ? ' (signed)' : ''}` : transport.mode === 'email' ? transport.email?.to ?? 'group members' : 'inbox',
        ])}
      />
    </Stack>
  );
}

function Rules() {
  const client = useQueryClient();
  const rules = useList<NotificationRule>('/notification_rules');
  const groups = useList<Group>('/groups');
  const transports = useList<NotificationTransport>('/notification_transports');
  const policies = useList<EventMatcherPolicy>('/policies/event_matcher');
  const empty = { name: '', severity: 'alert' as 'notice' | 'warning' | 'alert', alertPer: 'lockdown' as AlertPer, destinationGroupId: '', transportIds: [] as string[], policyIds: [] as string[] };
  const [draft, setDraft] = useState(empty);
  const form = useFormErrors();
  const create = useMutation({
    mutationFn: () => {
      const body: CreateNotificationRule = { ...draft, destinationGroupId: draft.destinationGroupId || null };
      return api.post<NotificationRule>('/notification_rules', body);
    },
    onSuccess: () => {
      setDraft(empty);
      void client.invalidateQueries({ queryKey: ['config', '/notification_rules'] });
    },
    onError: form.take,
  });
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list, id] : list.filter((item) => item !== id));
  const nameOf = (items: { id: string; name: string }[] | undefined, id: string) => items?.find((item) => item.id === id)?.name ?? id;
  return (
    <Stack hasGutter>
      <CreateCard
        title="Create a notification rule"
        busy={create.isPending}
        failure={form.failure}
        done={create.isSuccess}
        onSubmit={() => {
          form.clear();
          create.mutate();
        }}
      >
        <Field label="Name" id="rule-name" isRequired error={form.errors.name}>
          <TextInput id="rule-name" value={draft.name} onChange={(_event, value) => setDraft({ ...draft, name: value })} isRequired />
        </Field>
        <Field label="Severity" id="rule-severity" error={form.errors.severity}>
          <FormSelect id="rule-severity" value={draft.severity} onChange={(_event, value) => setDraft({ ...draft, severity: value as typeof draft.severity })}>
            <FormSelectOption value="notice" label="Notice" />
            <FormSelectOption value="warning" label="Warning" />
            <FormSelectOption value="alert" label="Alert" />
          </FormSelect>
        </Field>
        <Field
          label="Alert"
          id="rule-alert-per"
          error={form.errors.alertPer}
          helper="Once per lockdown: one summary when it ends (who asked, why, the counts, a link), whatever its size. Once per user: one alert per locked user."
        >
          <FormSelect id="rule-alert-per" value={draft.alertPer} onChange={(_event, value) => setDraft({ ...draft, alertPer: value as AlertPer })}>
            <FormSelectOption value="lockdown" label="Once per lockdown (summary)" />
            <FormSelectOption value="user" label="Once per user" />
          </FormSelect>
        </Field>
        <Field label="Destination group" id="rule-group" error={form.errors.destinationGroupId} helper="Its active members receive the notifications.">
          <FormSelect id="rule-group" value={draft.destinationGroupId} onChange={(_event, value) => setDraft({ ...draft, destinationGroupId: value })}>
            <FormSelectOption value="" label="— none —" />
            {groups.data?.items.map((group) => (
              <FormSelectOption key={group.id} value={group.id} label={group.name} />
            ))}
          </FormSelect>
        </Field>
        <FormGroup role="group" label="Transports" fieldId="rule-transports">
          {transports.data?.items.map((transport) => (
            <Checkbox
              key={transport.id}
              id={`rule-transport-${transport.id}`}
              label={`${transport.name} (${transport.mode})`}
              isChecked={draft.transportIds.includes(transport.id)}
              onChange={(_event, on) => setDraft({ ...draft, transportIds: toggle(draft.transportIds, transport.id, on) })}
            />
          ))}
          {form.errors.transportIds && <HelperTextItem variant="error">{form.errors.transportIds}</HelperTextItem>}
        </FormGroup>
        <FormGroup role="group" label="Bound policies" fieldId="rule-policies">
          {policies.data?.items.map((policy) => (
            <Checkbox
              key={policy.id}
              id={`rule-policy-${policy.id}`}
              label={policy.name}
              isChecked={draft.policyIds.includes(policy.id)}
              onChange={(_event, on) => setDraft({ ...draft, policyIds: toggle(draft.policyIds, policy.id, on) })}
            />
          ))}
          {form.errors.policyIds && <HelperTextItem variant="error">{form.errors.policyIds}</HelperTextItem>}
        </FormGroup>
      </CreateCard>
      <SimpleTable
        label="Notification rules"
        columns={['Name', 'Severity', 'Alert', 'Group', 'Transports', 'Policies']}
        rows={(rules.data?.items ?? []).map((rule) => [
          rule.id,
          rule.name,
          rule.severity,
          rule.alertPer === 'user' ? 'per user' : 'per lockdown',
          rule.destinationGroupId ? nameOf(groups.data?.items, rule.destinationGroupId) : '—',
          rule.transportIds.map((id) => nameOf(transports.data?.items, id)).join(', ') || '—',
          rule.policyIds.map((id) => nameOf(policies.data?.items, id)).join(', ') || '—',
        ])}
      />
    </Stack>
  );
}

function Groups() {
  const client = useQueryClient();
  const groups = useList<Group>('/groups');
  const [name, setName] = useState('');
  const form = useFormErrors();
  const refresh = () => client.invalidateQueries({ queryKey: ['config', '/groups'] });
  const create = useMutation({
    mutationFn: () => api.post<Group>('/groups', { name }),
    onSuccess: () => {
      setName('');
      void refresh();
    },
    onError: form.take,
  });
  return (
    <Stack hasGutter>
      <CreateCard
        title="Create a group"
        busy={create.isPending}
        failure={form.failure}
        done={create.isSuccess}
        onSubmit={() => {
          form.clear();
          create.mutate();
        }}
      >
        <Field label="Name" id="group-name" isRequired error={form.errors.name}>
          <TextInput id="group-name" value={name} onChange={(_event, value) => setName(value)} isRequired />
        </Field>
      </CreateCard>
      {groups.data?.items.map((group) => <GroupCard key={group.id} group={group} onChanged={refresh} />)}
    </Stack>
  );
}

function GroupCard({ group, onChanged }: { group: Group; onChanged: () => void }) {
  const [username, setUsername] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: async () => {
      const found = await api.get<Page<User>>(`/users${query({ search: username.trim(), limit: 50 })}`);
      const user = found.items.find((item) => item.username === username.trim());
      if (!user) throw new Error(`No user named “${username.trim()}”.`);
      return api.post<Group>(`/groups/${group.id}/members`, { userId: user.id });
    },
    onSuccess: () => {
      setUsername('');
      setError(null);
      onChanged();
    },
    onError: (err) => setError(err instanceof Error ? err.message : String(err)),
  });
  return (
    <Card>
      <CardTitle component="h2">Group {group.name}</CardTitle>
      <CardBody>
        <p>Members: {group.members.map((member) => member.username).join(', ') || 'none'}</p>
        <Form
          isHorizontal
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate();
          }}
        >
          <Field label="Add member (username)" id={`group-${group.id}-member`} error={error ?? undefined}>
            <TextInput id={`group-${group.id}-member`} value={username} onChange={(_event, value) => setUsername(value)} validated={error ? 'error' : 'default'} />
          </Field>
          <ActionGroup>
            <Button type="submit" variant="secondary" isLoading={add.isPending}>
              Add member
            </Button>
          </ActionGroup>
        </Form>
      </CardBody>
    </Card>
  );
}

function SimpleTable({ label, columns, rows }: { label: string; columns: string[]; rows: string[][] }) {
  return (
    <Table aria-label={label} variant="compact">
      <Thead>
        <Tr>
          {columns.map((column) => (
            <Th key={column}>{column}</Th>
          ))}
        </Tr>
      </Thead>
      <Tbody>
        {rows.map(([id, ...cells]) => (
          <Tr key={id}>
            {cells.map((cell, index) => (
              <Td key={columns[index]} dataLabel={columns[index]}>
                {cell}
              </Td>
            ))}
          </Tr>
        ))}
        {rows.length === 0 && (
          <Tr>
            <Td colSpan={columns.length}>None yet.</Td>
          </Tr>
        )}
      </Tbody>
    </Table>
  );
}
