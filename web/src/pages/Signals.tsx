import {
  ActionGroup,
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  ClipboardCopy,
  Form,
  FormSelect,
  FormSelectOption,
  Label,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  PageSection,
  Stack,
  Switch,
  TextArea,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { z } from 'zod';
import type * as signals from '../../../api/schemas/signals';
import { api, query } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { Field, useFormErrors } from '../components/FormField';
import { Loading } from '../session';
import type { Group, Page } from '../types';

type PasswordLockoutPolicies = z.infer<typeof signals.PasswordLockoutPolicies>;
type PasswordLockoutPolicy = z.infer<typeof signals.PasswordLockoutPolicy>;
type Transmitter = z.infer<typeof signals.SsfTransmitter>;
type TransmitterPage = z.infer<typeof signals.SsfTransmitterPage>;
type CreatedTransmitter = z.infer<typeof signals.CreatedSsfTransmitter>;
type CreateTransmitter = z.input<typeof signals.CreateSsfTransmitterBody>;
type EventActions = CreateTransmitter['events'];

/** The events a transmitter may be trusted with (domain/signals.ts), as the form offers them. */
const EVENTS = [
  ['credential-change', 'Credential change (CAEP)'],
  ['session-revoked', 'Session revoked (CAEP)'],
  ['account-disabled', 'Account disabled (RISC)'],
  ['credential-compromise', 'Credential compromise (RISC)'],
] as const;
type EventName = (typeof EVENTS)[number][0];
const ACTIONS = [
  ['', 'not accepted'],
  ['none', 'record only'],
  ['alert', 'alert'],
  ['lockdown', 'lockdown'],
] as const;

/**
 * Signals: the lockdowns that start themselves — each brand's password lockout, and the
 * Shared Signals transmitters whose SETs this service acts on. Readers with change_user see
 * them; only a superuser changes them (the API says which: `viewerMayChange`).
 */
export function SignalsPage() {
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Signals</Title>
        <p>Lockdowns that start themselves: after repeated failed password logins, and when a trusted transmitter reports a compromised account.</p>
      </PageSection>
      <PageSection>
        <Stack hasGutter>
          <PasswordLockout />
          <Transmitters />
        </Stack>
      </PageSection>
    </>
  );
}

function PasswordLockout() {
  const policies = useQuery({ queryKey: ['password-lockout'], queryFn: () => api.get<PasswordLockoutPolicies>('/password_lockout') });
  return (
    <Card>
      <CardTitle component="h2">Password lockout</CardTitle>
      <CardBody>
        {policies.isPending && <Loading />}
        <ErrorAlert error={policies.error} />
        {policies.data && (
          <Stack hasGutter>
            <p>
              After this many consecutive failed password logins, an account’s password locks: the right password is refused like a wrong one until an administrator unlocks it or
              sets a new one. Off by default; without a number of its own a brand uses {policies.data.defaultAttempts} (LOCKDOWN_PASSWORD_LOCKOUT_ATTEMPTS). A brand is never
              judged more leniently than the default brand. <strong>Run lockdown</strong> also runs the brand’s lockdown flow, requested by the system account, with the approval
              rules.
            </p>
            {!policies.data.viewerMayChange && <Alert variant="info" isInline isPlain title="Only a superuser changes these settings." />}
            <Table aria-label="Password lockout per brand" variant="compact">
              <Thead>
                <Tr>
                  <Th>Brand</Th>
                  <Th>On</Th>
                  <Th>Failed logins</Th>
                  <Th>Run lockdown</Th>
                  <Th screenReaderText="Save" />
                </Tr>
              </Thead>
              <Tbody>
                {policies.data.items.map((policy) => (
                  <PolicyRow key={policy.brandId} policy={policy} mayChange={policies.data.viewerMayChange} />
                ))}
              </Tbody>
            </Table>
          </Stack>
        )}
      </CardBody>
    </Card>
  );
}

function PolicyRow({ policy, mayChange }: { policy: PasswordLockoutPolicy; mayChange: boolean }) {
  const client = useQueryClient();
  const [enabled, setEnabled] = useState(policy.enabled);
  const [attempts, setAttempts] = useState(policy.attempts === null ? '' : String(policy.attempts));
  const [escalate, setEscalate] = useState(policy.escalate);
  const save = useMutation({
    mutationFn: () => api.patch<PasswordLockoutPolicy>(`/password_lockout/${policy.brandId}`, { enabled, escalate, attempts: attempts === '' ? null : Number(attempts) }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['password-lockout'] }),
  });
  const id = `lockout-${policy.brandId}`;
  return (
    <>
      <Tr>
        <Td dataLabel="Brand">
          {policy.domain} {policy.isDefault && <Label isCompact>default</Label>}
        </Td>
        <Td dataLabel="On">
          <Switch id={`${id}-enabled`} aria-label={`Password lockout on ${policy.domain}`} isChecked={enabled} isDisabled={!mayChange} onChange={(_event, value) => setEnabled(value)} />
        </Td>
        <Td dataLabel="Failed logins">
          <TextInput
            id={`${id}-attempts`}
            aria-label={`Failed logins before the password locks on ${policy.domain}`}
            type="number"
            min={1}
            max={1000}
            placeholder={String(policy.effectiveAttempts)}
            value={attempts}
            isDisabled={!mayChange}
            onChange={(_event, value) => setAttempts(value)}
          />
        </Td>
        <Td dataLabel="Run lockdown">
          <Switch id={`${id}-escalate`} aria-label={`Run the lockdown flow when a password locks on ${policy.domain}`} isChecked={escalate} isDisabled={!mayChange} onChange={(_event, value) => setEscalate(value)} />
        </Td>
        <Td dataLabel="Save">
          {mayChange && (
            <Button size="sm" onClick={() => save.mutate()} isLoading={save.isPending}>
              Save
            </Button>
          )}
          {save.isSuccess && <Label color="green" isCompact>Saved</Label>}
        </Td>
      </Tr>
      {save.error && (
        <Tr>
          <Td colSpan={5}>
            <ErrorAlert error={save.error} title="The policy was not saved" />
          </Td>
        </Tr>
      )}
    </>
  );
}

function Transmitters() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['ssf-transmitters'], queryFn: () => api.get<TransmitterPage>(`/ssf_transmitters${query({ limit: 200 })}`) });
  const [adding, setAdding] = useState(false);
  const [issued, setIssued] = useState<{ name: string; pushUrl: string; pushToken: string } | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['ssf-transmitters'] });
  const toggle = useMutation({ mutationFn: (transmitter: Transmitter) => api.patch(`/ssf_transmitters/${transmitter.id}`, { enabled: !transmitter.enabled }), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (transmitter: Transmitter) => api.delete(`/ssf_transmitters/${transmitter.id}`), onSuccess: refresh });
  const rotate = useMutation({
    mutationFn: async (transmitter: Transmitter) => ({ ...(await api.post<{ pushToken: string }>(`/ssf_transmitters/${transmitter.id}/push_token`)), name: transmitter.name, pushUrl: transmitter.pushUrl }),
    onSuccess: setIssued,
  });
  const mayChange = list.data?.viewerMayChange ?? false;
  return (
    <Card>
      <CardTitle component="h2">Shared Signals transmitters</CardTitle>
      <CardBody>
        <Stack hasGutter>
          <p>
            Identity providers and security tools this service trusts to report compromised accounts (OpenID Shared Signals: CAEP and RISC events in signed Security Event
            Tokens, pushed by RFC 8935). Each SET is verified against the transmitter’s keys, issuer and audience, and acted on once.
          </p>
          {list.isPending && <Loading />}
          <ErrorAlert error={list.error ?? toggle.error ?? remove.error ?? rotate.error} />
          {issued && (
            <Alert variant="success" isInline title={`Push token of ${issued.name}: shown this once`} data-testid="push-token">
              <p>Give the transmitter this endpoint and bearer token; this service keeps only a digest of the token.</p>
              <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied">
                {issued.pushUrl}
              </ClipboardCopy>
              <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied">
                {`Bearer ${issued.pushToken}`}
              </ClipboardCopy>
            </Alert>
          )}
          {list.data && list.data.items.length === 0 && <p>No transmitter is trusted.</p>}
          {list.data && list.data.items.length > 0 && (
            <Table aria-label="Shared Signals transmitters" variant="compact">
              <Thead>
                <Tr>
                  <Th>Name</Th>
                  <Th>Issuer and keys</Th>
                  <Th>Events</Th>
                  <Th>Speaks for</Th>
                  <Th>Enabled</Th>
                  <Th screenReaderText="Actions" />
                </Tr>
              </Thead>
              <Tbody>
                {list.data.items.map((transmitter) => (
                  <Tr key={transmitter.id}>
                    <Td dataLabel="Name">{transmitter.name}</Td>
                    <Td dataLabel="Issuer and keys" modifier="breakWord">
                      <div className="mono">{transmitter.issuer}</div>
                      <small>{transmitter.jwksUrl ?? `${transmitter.jwks?.keys.length ?? 0} pasted key(s)`}</small>
                    </Td>
                    <Td dataLabel="Events">
                      {Object.entries(transmitter.events).map(([event, action]) => (
                        <div key={event}>
                          {event}: <strong>{action}</strong>
                        </div>
                      ))}
                    </Td>
                    <Td dataLabel="Speaks for">{transmitter.allUsers ? 'every user' : transmitter.group ? `members of ${transmitter.group.name}` : 'nobody (its group was deleted)'}</Td>
                    <Td dataLabel="Enabled">
                      <Switch
                        id={`transmitter-${transmitter.id}-enabled`}
                        aria-label={`${transmitter.name} enabled`}
                        isChecked={transmitter.enabled}
                        isDisabled={!mayChange}
                        onChange={() => toggle.mutate(transmitter)}
                      />
                    </Td>
                    <Td dataLabel="Actions">
                      {mayChange && (
                        <>
                          <Button variant="link" size="sm" onClick={() => rotate.mutate(transmitter)}>
                            New push token
                          </Button>
                          <Button variant="link" isDanger size="sm" onClick={() => window.confirm(`Stop trusting ${transmitter.name}?`) && remove.mutate(transmitter)}>
                            Remove
                          </Button>
                        </>
                      )}
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )}
          {mayChange && (
            <div>
              <Button onClick={() => setAdding(true)}>Add transmitter</Button>
            </div>
          )}
          {!mayChange && list.data && <Alert variant="info" isInline isPlain title="Only a superuser adds or changes transmitters." />}
        </Stack>
        {adding && (
          <AddTransmitter
            onClose={() => setAdding(false)}
            onCreated={(created) => {
              setAdding(false);
              setIssued({ name: created.name, pushUrl: created.pushUrl, pushToken: created.pushToken });
              void refresh();
            }}
          />
        )}
      </CardBody>
    </Card>
  );
}

function AddTransmitter({ onClose, onCreated }: { onClose: () => void; onCreated: (created: CreatedTransmitter) => void }) {
  const groups = useQuery({ queryKey: ['config', '/groups'], queryFn: () => api.get<Page<Group>>(`/groups${query({ limit: 200 })}`) });
  const [name, setName] = useState('');
  const [issuer, setIssuer] = useState('');
  const [keysFrom, setKeysFrom] = useState<'url' | 'pasted'>('url');
  const [jwksUrl, setJwksUrl] = useState('');
  const [jwks, setJwks] = useState('');
  const [audience, setAudience] = useState('');
  const [groupId, setGroupId] = useState('');
  const [events, setEvents] = useState<Record<EventName, string>>({ 'credential-change': 'lockdown', 'session-revoked': 'alert', 'account-disabled': 'alert', 'credential-compromise': 'lockdown' });
  const form = useFormErrors();
  const create = useMutation({
    mutationFn: () => {
      let pasted: CreateTransmitter['jwks'];
      if (keysFrom === 'pasted') {
        try {
          pasted = JSON.parse(jwks) as CreateTransmitter['jwks'];
        } catch {
          throw new Error('The pasted keys are not JSON: paste the transmitter’s JWK Set, { "keys": [ … ] }.');
        }
      }
      const chosen = Object.fromEntries(Object.entries(events).filter(([, action]) => action !== '')) as EventActions;
      return api.post<CreatedTransmitter>('/ssf_transmitters', {
        name,
        issuer,
        ...(keysFrom === 'url' ? { jwksUrl } : { jwks: pasted }),
        ...(audience ? { audience } : {}),
        events: chosen,
        groupId: groupId || null,
      });
    },
    onSuccess: onCreated,
    onError: form.take,
  });
  return (
    <Modal isOpen onClose={onClose} variant="medium" aria-labelledby="add-transmitter-title">
      <ModalHeader title="Add a Shared Signals transmitter" labelId="add-transmitter-title" />
      <ModalBody>
        <Form
          id="add-transmitter"
          onSubmit={(event) => {
            event.preventDefault();
            form.clear();
            create.mutate();
          }}
        >
          <Field label="Name" id="transmitter-name" error={form.errors.name} isRequired>
            <TextInput id="transmitter-name" value={name} onChange={(_event, value) => setName(value)} isRequired />
          </Field>
          <Field label="Issuer (iss)" id="transmitter-issuer" error={form.errors.issuer} helper="The issuer its SETs carry, e.g. https://idp.example.com" isRequired>
            <TextInput id="transmitter-issuer" value={issuer} onChange={(_event, value) => setIssuer(value)} isRequired />
          </Field>
          <Field label="Keys" id="transmitter-keys-from">
            <FormSelect id="transmitter-keys-from" value={keysFrom} onChange={(_event, value) => setKeysFrom(value as 'url' | 'pasted')}>
              <FormSelectOption value="url" label="Fetched from its JWKS URL" />
              <FormSelectOption value="pasted" label="Pasted public keys (a JWK Set)" />
            </FormSelect>
          </Field>
          {keysFrom === 'url' ? (
            <Field label="JWKS URL" id="transmitter-jwks-url" error={form.errors.jwksUrl} helper="Fetched through the outbound address policy; cached for a few minutes." isRequired>
              <TextInput id="transmitter-jwks-url" value={jwksUrl} onChange={(_event, value) => setJwksUrl(value)} />
            </Field>
          ) : (
            <Field label="Public keys" id="transmitter-jwks" error={form.errors.jwks} isRequired>
              <TextArea id="transmitter-jwks" value={jwks} onChange={(_event, value) => setJwks(value)} rows={6} resizeOrientation="vertical" />
            </Field>
          )}
          <Field label="Audience (aud)" id="transmitter-audience" error={form.errors.audience} helper="The audience its SETs carry; empty: this service’s public URL.">
            <TextInput id="transmitter-audience" value={audience} onChange={(_event, value) => setAudience(value)} />
          </Field>
          {EVENTS.map(([event, label]) => (
            <Field key={event} label={label} id={`transmitter-event-${event}`} error={form.errors[`events.${event}`]}>
              <FormSelect id={`transmitter-event-${event}`} value={events[event]} onChange={(_event, value) => setEvents({ ...events, [event]: value })}>
                {ACTIONS.map(([value, text]) => (
                  <FormSelectOption key={value} value={value} label={text} />
                ))}
              </FormSelect>
            </Field>
          ))}
          <Field label="Speaks for" id="transmitter-group" error={form.errors.groupId}>
            <FormSelect id="transmitter-group" value={groupId} onChange={(_event, value) => setGroupId(value)}>
              <FormSelectOption value="" label="Every user" />
              {groups.data?.items.map((group) => (
                <FormSelectOption key={group.id} value={group.id} label={`Members of ${group.name}`} />
              ))}
            </FormSelect>
          </Field>
          <ErrorAlert error={form.failure} title="The transmitter was not added" />
        </Form>
      </ModalBody>
      <ModalFooter>
        <ActionGroup>
          <Button type="submit" form="add-transmitter" isLoading={create.isPending}>
            Add
          </Button>
          <Button variant="link" onClick={onClose}>
            Cancel
          </Button>
        </ActionGroup>
      </ModalFooter>
    </Modal>
  );
}
