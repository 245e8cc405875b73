import {
  ActionGroup,
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Checkbox,
  Content,
  Flex,
  Form,
  FormGroup,
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
  TextInput,
  Title,
} from '@patternfly/react-core';
import { CheckCircleIcon, ExclamationCircleIcon, MinusCircleIcon } from '@patternfly/react-icons';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type * as schemas from '../../../api/schemas/connectors';
import { api, query } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { Field, useFormErrors } from '../components/FormField';
import { Loading } from '../session';

type Connector = z.infer<typeof schemas.Connector>;
type ConnectorPage = z.infer<typeof schemas.ConnectorPage>;
type Kind = ConnectorPage['kinds'][number];
type TestResult = z.infer<typeof schemas.ConnectorTestResult>;
type CreateRequest = z.input<typeof schemas.CreateConnectorBody>;

const MAPPINGS = [
  ['email', 'Email address'],
  ['username', 'Username'],
  ['external_id', 'An attribute holding the local user id'],
] as const;

/**
 * Downstream connectors: the identity provider and applications a lockdown also reaches.
 * Everyone with change_user sees and tests them; the API says who may change them.
 */
export function ConnectorsPage() {
  const client = useQueryClient();
  const connectors = useQuery({ queryKey: ['connectors'], queryFn: () => api.get<ConnectorPage>(`/connectors${query({ limit: 200 })}`) });
  const [editing, setEditing] = useState<Connector | 'new' | null>(null);
  const [testing, setTesting] = useState<Connector | null>(null);
  const [removing, setRemoving] = useState<Connector | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['connectors'] });
  const page = connectors.data;

  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Connectors</Title>
        <Content component="p">
          After its local steps, every lockdown also locks the account in each enabled connector: Keycloak (disable the user, end every session, revoke consents and offline
          tokens) or a SCIM 2.0 application (deactivate, or delete). Each connector’s result is in the lockdown’s results, its audit log and its timeline; a connector that failed
          can be retried alone from the lockdown.
        </Content>
      </PageSection>
      <PageSection>
        {connectors.isPending && <Loading />}
        <ErrorAlert error={connectors.error} title="Connectors cannot be shown" />
        {page && (
          <Stack hasGutter>
            {page.viewerMayConfigure && editing === null && (
              <div>
                <Button onClick={() => setEditing('new')}>Add connector</Button>
              </div>
            )}
            {editing !== null && (
              <ConnectorForm
                kinds={page.kinds}
                connector={editing === 'new' ? null : editing}
                onDone={() => {
                  setEditing(null);
                  void refresh();
                }}
                onCancel={() => setEditing(null)}
              />
            )}
            <Table aria-label="Connectors" variant="compact">
              <Thead>
                <Tr>
                  <Th>Name</Th>
                  <Th>Kind</Th>
                  <Th>Base URL</Th>
                  <Th>Finds users by</Th>
                  <Th>Actions</Th>
                  <Th>State</Th>
                  <Th screenReaderText="Operations" />
                </Tr>
              </Thead>
              <Tbody>
                {page.items.map((connector) => (
                  <Tr key={connector.id}>
                    <Td dataLabel="Name">{connector.name}</Td>
                    <Td dataLabel="Kind">{connector.kind === 'keycloak' ? `Keycloak (realm ${connector.realm})` : 'SCIM 2.0'}</Td>
                    <Td dataLabel="Base URL">{connector.baseUrl}</Td>
                    <Td dataLabel="Finds users by">{connector.mapping === 'external_id' ? `attribute ${connector.mappingAttribute}` : connector.mapping}</Td>
                    <Td dataLabel="Actions">{connector.actions.map((action) => actionLabel(page.kinds, connector.kind, action)).join('; ')}</Td>
                    <Td dataLabel="State">{connector.enabled ? <Label color="green">Enabled</Label> : <Label>Disabled</Label>}</Td>
                    <Td dataLabel="Operations" isActionCell>
                      <Flex spaceItems={{ default: 'spaceItemsSm' }} flexWrap={{ default: 'nowrap' }}>
                        <Button variant="secondary" size="sm" onClick={() => setTesting(connector)}>
                          Test
                        </Button>
                        {connector.viewerMayChange && (
                          <>
                            <Button variant="secondary" size="sm" onClick={() => setEditing(connector)} aria-label={`Edit ${connector.name}`}>
                              Edit
                            </Button>
                            <Button variant="secondary" size="sm" isDanger onClick={() => setRemoving(connector)} aria-label={`Remove ${connector.name}`}>
                              Remove
                            </Button>
                          </>
                        )}
                      </Flex>
                    </Td>
                  </Tr>
                ))}
                {page.items.length === 0 && (
                  <Tr>
                    <Td colSpan={7}>No connector yet: lockdowns reach this service only.</Td>
                  </Tr>
                )}
              </Tbody>
            </Table>
          </Stack>
        )}
      </PageSection>
      {testing && <TestModal connector={testing} onClose={() => setTesting(null)} />}
      {removing && (
        <RemoveModal
          connector={removing}
          onClose={() => setRemoving(null)}
          onDone={() => {
            setRemoving(null);
            void refresh();
          }}
        />
      )}
    </>
  );
}

function actionLabel(kinds: Kind[], kind: string, action: string): string {
  return kinds.find((entry) => entry.kind === kind)?.actions.find((entry) => entry.action === action)?.label ?? action;
}

/** Adding (every field) or changing a connector (the kind stays; a credential left empty stays as stored). */
function ConnectorForm({ kinds, connector, onDone, onCancel }: { kinds: Kind[]; connector: Connector | null; onDone: () => void; onCancel: () => void }) {
  const [kind, setKind] = useState<Kind['kind']>(connector?.kind ?? 'keycloak');
  const defaults = (of: Kind['kind']) => kinds.find((entry) => entry.kind === of)?.actions.filter((entry) => entry.byDefault).map((entry) => entry.action) ?? [];
  const [fields, setFields] = useState({
    name: connector?.name ?? '',
    baseUrl: connector?.baseUrl ?? '',
    realm: connector?.realm ?? '',
    clientId: connector?.clientId ?? '',
    credential: '',
    mapping: connector?.mapping ?? ('email' as Connector['mapping']),
    mappingAttribute: connector?.mappingAttribute ?? '',
    enabled: connector?.enabled ?? true,
  });
  const [actions, setActions] = useState<string[]>(connector?.actions ?? defaults(kind));
  const set = (field: keyof typeof fields) => (_event: unknown, value: string | boolean) => setFields((current) => ({ ...current, [field]: value }));
  const form = useFormErrors();
  const kindActions = kinds.find((entry) => entry.kind === kind)?.actions ?? [];

  const save = useMutation({
    mutationFn: () => {
      const body: Record<string, unknown> = {
        name: fields.name,
        baseUrl: fields.baseUrl,
        mapping: fields.mapping,
        mappingAttribute: fields.mapping === 'external_id' ? fields.mappingAttribute || null : null,
        actions,
        enabled: fields.enabled,
        ...(kind === 'keycloak' ? { realm: fields.realm, clientId: fields.clientId } : {}),
      };
      if (fields.credential) body[kind === 'keycloak' ? 'clientSecret' : 'token'] = fields.credential;
      return connector ? api.patch<Connector>(`/connectors/${connector.id}`, body) : api.post<Connector>('/connectors', { ...body, kind } as CreateRequest);
    },
    onSuccess: onDone,
    onError: form.take,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    save.mutate();
  };
  const credentialLabel = kind === 'keycloak' ? 'Client secret' : 'Bearer token';
  const credentialError = kind === 'keycloak' ? form.errors.clientSecret : form.errors.token;

  return (
    <Card>
      <CardTitle component="h2">{connector ? `Edit ${connector.name}` : 'Add a connector'}</CardTitle>
      <CardBody>
        <Form onSubmit={submit} aria-label={connector ? 'Edit connector' : 'Add connector'}>
          <Field label="Name" id="connector-name" isRequired error={form.errors.name}>
            <TextInput id="connector-name" value={fields.name} onChange={set('name')} isRequired />
          </Field>
          {!connector && (
            <Field label="Kind" id="connector-kind" error={form.errors.kind}>
              <FormSelect
                id="connector-kind"
                value={kind}
                onChange={(_event, value) => {
                  setKind(value as Kind['kind']);
                  setActions(defaults(value as Kind['kind']));
                }}
              >
                <FormSelectOption value="keycloak" label="Keycloak (admin REST API, client credentials)" />
                <FormSelectOption value="scim" label="SCIM 2.0 application (Bearer token)" />
              </FormSelect>
            </Field>
          )}
          <Field
            label="Base URL"
            id="connector-url"
            isRequired
            error={form.errors.baseUrl}
            helper={kind === 'keycloak' ? 'The server’s root, e.g. https://sso.example.org' : 'The parent of /Users, e.g. https://app.example.org/scim/v2'}
          >
            <TextInput id="connector-url" type="url" value={fields.baseUrl} onChange={set('baseUrl')} isRequired />
          </Field>
          {kind === 'keycloak' && (
            <>
              <Field label="Realm" id="connector-realm" isRequired error={form.errors.realm}>
                <TextInput id="connector-realm" value={fields.realm} onChange={set('realm')} />
              </Field>
              <Field label="Client id" id="connector-client" isRequired error={form.errors.clientId} helper="A confidential client whose service account holds realm-management view-users and manage-users.">
                <TextInput id="connector-client" value={fields.clientId} onChange={set('clientId')} />
              </Field>
            </>
          )}
          <Field label={credentialLabel} id="connector-credential" isRequired={!connector} error={credentialError} helper={connector ? 'Write-only: leave empty to keep the stored one.' : 'Write-only: never shown again.'}>
            <TextInput id="connector-credential" type="password" autoComplete="off" value={fields.credential} onChange={set('credential')} />
          </Field>
          <Field label="Finds the account by" id="connector-mapping" error={form.errors.mapping}>
            <FormSelect id="connector-mapping" value={fields.mapping} onChange={set('mapping')}>
              {MAPPINGS.map(([value, label]) => (
                <FormSelectOption key={value} value={value} label={label} />
              ))}
            </FormSelect>
          </Field>
          {fields.mapping === 'external_id' && (
            <Field label="Attribute" id="connector-attribute" isRequired error={form.errors.mappingAttribute} helper={kind === 'keycloak' ? 'A user attribute, e.g. lockdown_id' : 'A SCIM attribute path, e.g. externalId'}>
              <TextInput id="connector-attribute" value={fields.mappingAttribute} onChange={set('mappingAttribute')} />
            </Field>
          )}
          <FormGroup label="Actions" role="group" fieldId="connector-actions">
            {kindActions.map((entry) => (
              <Checkbox
                key={entry.action}
                id={`connector-action-${entry.action}`}
                label={entry.label}
                isChecked={actions.includes(entry.action)}
                onChange={(_event, checked) => setActions((current) => (checked ? [...current, entry.action] : current.filter((action) => action !== entry.action)))}
              />
            ))}
            {form.errors.actions && <Alert variant="danger" isInline isPlain title={form.errors.actions} />}
          </FormGroup>
          <Switch id="connector-enabled" label="Enabled: lockdowns reach it" isChecked={fields.enabled} onChange={set('enabled')} />
          <ErrorAlert error={form.failure} title="The connector was not saved" />
          <ActionGroup>
            <Button type="submit" isLoading={save.isPending}>
              {connector ? 'Save' : 'Add'}
            </Button>
            <Button variant="link" onClick={onCancel}>
              Cancel
            </Button>
          </ActionGroup>
        </Form>
      </CardBody>
    </Card>
  );
}

/** The health check: reach, authenticate, find a known user; each step as it went. */
function TestModal({ connector, onClose }: { connector: Connector; onClose: () => void }) {
  const [user, setUser] = useState('');
  const form = useFormErrors();
  const test = useMutation({ mutationFn: () => api.post<TestResult>(`/connectors/${connector.id}/test`, user ? { user } : {}), onError: form.take });
  const result = test.data;
  return (
    <Modal isOpen variant="medium" onClose={onClose} aria-labelledby="connector-test-title">
      <ModalHeader title={`Test ${connector.name}`} labelId="connector-test-title" />
      <ModalBody>
        <Form
          id="connector-test"
          onSubmit={(event) => {
            event.preventDefault();
            form.clear();
            test.mutate();
          }}
        >
          <Field label="A user who has an account there (username or id)" id="connector-test-user" error={form.errors.user} helper="Empty: you.">
            <TextInput id="connector-test-user" value={user} onChange={(_event, value) => setUser(value)} />
          </Field>
        </Form>
        <ErrorAlert error={form.failure} title="The test could not run" />
        {result && (
          <Stack hasGutter style={{ marginTop: '1rem' }} data-testid="connector-test-result">
            <Flex spaceItems={{ default: 'spaceItemsMd' }}>
              <Step label="Reached" passed={result.reachable} />
              <Step label="Authenticated" passed={result.authenticated} />
              <Step label={`Found ${result.user.username}`} passed={result.userFound} />
            </Flex>
            <Alert variant={result.ok ? 'success' : 'danger'} isInline title={result.ok ? 'The connector works.' : 'The connector does not work yet.'}>
              {result.message}
            </Alert>
          </Stack>
        )}
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="connector-test" isLoading={test.isPending}>
          Test
        </Button>
        <Button variant="link" onClick={onClose}>
          Close
        </Button>
      </ModalFooter>
    </Modal>
  );
}

function Step({ label, passed }: { label: string; passed: boolean | null }) {
  if (passed === true) return <Label color="green" icon={<CheckCircleIcon />}>{label}</Label>;
  if (passed === false) return <Label color="red" icon={<ExclamationCircleIcon />}>{label}: no</Label>;
  return <Label icon={<MinusCircleIcon />}>{label}: not known</Label>;
}

function RemoveModal({ connector, onClose, onDone }: { connector: Connector; onClose: () => void; onDone: () => void }) {
  const remove = useMutation({ mutationFn: () => api.delete(`/connectors/${connector.id}`), onSuccess: onDone });
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="connector-remove-title">
      <ModalHeader title={`Remove ${connector.name}?`} labelId="connector-remove-title" />
      <ModalBody>
        Later lockdowns will no longer reach it. Past results keep its name; accounts it disabled must then be enabled in that system directly.
        <ErrorAlert error={remove.error} title="The connector was not removed" />
      </ModalBody>
      <ModalFooter>
        <Button variant="danger" onClick={() => remove.mutate()} isLoading={remove.isPending}>
          Remove
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
