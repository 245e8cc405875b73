import {
  ActionGroup,
  Alert,
  AlertActionCloseButton,
  Button,
  Card,
  CardBody,
  CardHeader,
  CardTitle,
  ClipboardCopy,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  Form,
  Grid,
  GridItem,
  Label,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  PageSection,
  Stack,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { Field } from '../components/FormField';
import { formatTime } from '../components/Labels';
import { LastLockdownCard } from '../components/LastLockdownCard';
import { PasswordLockedLabel, PasswordLockPanel } from '../components/PasswordLock';
import { StartLockdownError, useStartLockdown } from '../components/StartLockdown';
import { DeactivateUserModal, DeleteUserModal, EditUserModal, type ActionNotice } from '../components/UserActions';
import { DownstreamRestore } from '../components/DownstreamRestore';
import { UserStatusLabel } from '../components/UserStatusLabel';
import { Loading, useCapabilities, useMe } from '../session';
import type { Page, RecoveryLink, Session, Token, User, UserDetail } from '../types';

/** A user: who they are, their credentials, Account Lockdown, and restoring access after one. */
export function UserDetailPage() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const me = useMe().data;
  // What the viewer may do to this user, as the API decides it: the page derives no rule of its own.
  const can = useCapabilities(id).data?.user;
  const user = useQuery({ queryKey: ['user', id], queryFn: () => api.get<UserDetail>(`/users/${id}`) });
  const sessions = useQuery({ queryKey: ['user', id, 'sessions'], queryFn: () => api.get<Page<Session>>(`/users/${id}/sessions`) });
  const tokens = useQuery({ queryKey: ['user', id, 'tokens'], queryFn: () => api.get<Page<Token>>(`/users/${id}/tokens`) });
  const start = useStartLockdown();
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: ['user', id] }), client.invalidateQueries({ queryKey: ['capabilities', id] })]);
  const activate = useMutation({ mutationFn: () => api.post<User>(`/users/${id}/activate`), onSuccess: refresh });
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [accountModal, setAccountModal] = useState<'edit' | 'deactivate' | 'delete' | null>(null);
  const [notice, setNotice] = useState<ActionNotice | null>(null);
  const [recovery, setRecovery] = useState<RecoveryLink | null>(null);
  const recoveryLink = useMutation({ mutationFn: () => api.post<RecoveryLink>(`/users/${id}/recovery_link`), onSuccess: (link) => setRecovery(link) });

  const data = user.data;
  // Your own page has "Lock my account" in Settings, and nobody deactivates themself here.
  const isSelf = data?.id === me?.id;
  const canLock = Boolean(data && can?.lockdown && !isSelf);
  const canDeactivate = Boolean(data?.isActive && can?.deactivate && !isSelf);
  const canDelete = Boolean(can?.delete);
  const canActivate = Boolean(data && !data.isActive && can?.activate);
  const canRestore = canActivate || Boolean(can?.setPassword || can?.recoveryLink);
  const liveSessions = sessions.data?.items.filter((session) => !session.expired) ?? [];
  const liveTokens = tokens.data?.items.filter((token) => !token.expired) ?? [];

  return (
    <>
      <PageSection>
        <Flex alignItems={{ default: 'alignItemsCenter' }} spaceItems={{ default: 'spaceItemsSm' }}>
          <Title headingLevel="h1">{data?.username ?? 'User'}</Title>
          {data && <UserStatusLabel user={data} />}
          {data && <PasswordLockedLabel user={data} />}
          {data?.isSuperuser && <Label color="purple">Superuser</Label>}
          {data?.isProtected && <Label>Protected account</Label>}
        </Flex>
        <p>
          <Link to="/users">Directory › Users</Link>
        </p>
      </PageSection>
      <PageSection>
        {user.isPending && <Loading />}
        <ErrorAlert error={user.error} title="This user cannot be shown" />
        {data && <PasswordLockPanel userId={data.id} />}
        {notice && (
          <Alert
            variant={notice.variant}
            isInline
            title={notice.title}
            actionClose={<AlertActionCloseButton onClose={() => setNotice(null)} />}
            style={{ marginBottom: 'var(--pf-t--global--spacer--md)' }}
            data-testid="user-action-result"
          >
            {notice.body}
          </Alert>
        )}
        {data && (
          <Grid hasGutter>
            <GridItem md={7}>
              <Stack hasGutter>
                {data.lastLockdown && <LastLockdownCard last={data.lastLockdown} />}
                <Card isFullHeight={!data.lastLockdown}>
                  <CardHeader
                    actions={
                      can?.edit
                        ? {
                            actions: (
                              <Button variant="secondary" onClick={() => setAccountModal('edit')}>
                                Edit details
                              </Button>
                            ),
                            hasNoOffset: true,
                          }
                        : undefined
                    }
                  >
                    <CardTitle component="h2">Details</CardTitle>
                  </CardHeader>
                  <CardBody>
                    <DescriptionList isHorizontal isCompact>
                      <Term label="Name">{data.name || '—'}</Term>
                      <Term label="Email">{data.email || '—'}</Term>
                      <Term label="Type">{data.type.replaceAll('_', ' ')}</Term>
                      <Term label="Status">
                        {data.isLockedDown
                          ? 'Locked — inactive, password unusable, no session or token'
                          : data.isActive
                            ? 'Active'
                            : 'Inactive — cannot log in (password kept)'}
                      </Term>
                      <Term label="Active sessions">
                        <span data-testid="sessions-count">{sessions.data ? liveSessions.length : '…'}</span>
                      </Term>
                      <Term label="Active tokens">
                        <span data-testid="tokens-count">{tokens.data ? liveTokens.length : '…'}</span>
                      </Term>
                    </DescriptionList>
                  </CardBody>
                </Card>
              </Stack>
            </GridItem>
            <GridItem md={5}>
              <Card isFullHeight>
                <CardTitle component="h2">Actions</CardTitle>
                <CardBody>
                  {canLock && (
                    <>
                      <p>Secure this account now if it may be compromised: deactivate it, invalidate its password, end its sessions and revoke its tokens.</p>
                      <ActionGroup>
                        <Button variant="danger" onClick={() => start.mutate({ user: data.id })} isLoading={start.isPending} isDisabled={start.isPending}>
                          Account Lockdown
                        </Button>
                      </ActionGroup>
                    </>
                  )}
                  <StartLockdownError error={start.error} />
                  {isSelf && (
                    <p>
                      To lock your own account, use <Link to="/settings">Settings › Account Lockdown</Link>.
                    </p>
                  )}
                  {data.isProtected && <p>Protected from lockdown: the anonymous user and internal service accounts are never locked.</p>}
                  {data.isLockedDown && !isSelf && (
                    <p data-testid="already-locked">
                      Already locked: inactive, password unusable, no session and no token — a lockdown would change nothing.
                      {canRestore && ' To give access back, activate the account, then set a password or send a recovery link.'}
                    </p>
                  )}
                  {(canDeactivate || canDelete) && (
                    <>
                      <Title headingLevel="h3" size="md" style={{ marginTop: '1rem' }}>
                        {canDeactivate && canDelete ? 'Deactivate or delete' : canDeactivate ? 'Deactivate' : 'Delete'}
                      </Title>
                      <p>
                        {canDeactivate
                          ? 'For an account that should stop working, e.g. someone who left: every session is ended and every token revoked.'
                          : 'Every session is ended and every token revoked first; the audit events stay.'}
                      </p>
                      <Flex spaceItems={{ default: 'spaceItemsSm' }} style={{ marginTop: '.5rem' }}>
                        {canDeactivate && (
                          <Button variant="secondary" isDanger onClick={() => setAccountModal('deactivate')}>
                            Deactivate
                          </Button>
                        )}
                        {canDelete && (
                          <Button variant="secondary" isDanger onClick={() => setAccountModal('delete')}>
                            Delete user
                          </Button>
                        )}
                      </Flex>
                    </>
                  )}
                  {canRestore && (
                    <>
                      <Title headingLevel="h3" size="md" style={{ marginTop: '1rem' }}>
                        Restore access
                      </Title>
                      <Flex spaceItems={{ default: 'spaceItemsSm' }} style={{ marginTop: '.5rem' }}>
                        {canActivate && (
                          <Button variant="primary" onClick={() => activate.mutate()} isLoading={activate.isPending}>
                            Activate
                          </Button>
                        )}
                        {can?.setPassword && (
                          <Button variant="secondary" onClick={() => setPasswordOpen(true)}>
                            Set password
                          </Button>
                        )}
                        {can?.recoveryLink && (
                          <Button variant="secondary" onClick={() => recoveryLink.mutate()} isLoading={recoveryLink.isPending}>
                            Create recovery link
                          </Button>
                        )}
                      </Flex>
                    </>
                  )}
                  <ErrorAlert error={activate.error ?? recoveryLink.error} title="The action failed" />
                  {activate.isSuccess && data.isActive && <Alert variant="success" isInline isPlain title="The account is active again." />}
                </CardBody>
              </Card>
            </GridItem>
            <GridItem md={6}>
              <Card>
                <CardTitle component="h2">Sessions</CardTitle>
                <CardBody>
                  <Table aria-label="Sessions" variant="compact">
                    <Thead>
                      <Tr>
                        <Th>Started</Th>
                        <Th>Expires</Th>
                        <Th>Address</Th>
                      </Tr>
                    </Thead>
                    <Tbody>
                      {liveSessions.map((session) => (
                        <Tr key={session.id}>
                          <Td dataLabel="Started">{formatTime(session.createdAt)}</Td>
                          <Td dataLabel="Expires">{formatTime(session.expiresAt)}</Td>
                          <Td dataLabel="Address">{session.lastIp ?? '—'}</Td>
                        </Tr>
                      ))}
                      {liveSessions.length === 0 && (
                        <Tr>
                          <Td colSpan={3}>No active sessions.</Td>
                        </Tr>
                      )}
                    </Tbody>
                  </Table>
                </CardBody>
              </Card>
            </GridItem>
            <GridItem md={6}>
              <Card>
                <CardTitle component="h2">Tokens</CardTitle>
                <CardBody>
                  <Table aria-label="Tokens" variant="compact">
                    <Thead>
                      <Tr>
                        <Th>Identifier</Th>
                        <Th>Intent</Th>
                        <Th>Expires</Th>
                      </Tr>
                    </Thead>
                    <Tbody>
                      {liveTokens.map((token) => (
                        <Tr key={token.id}>
                          <Td dataLabel="Identifier">{token.identifier}</Td>
                          <Td dataLabel="Intent">{token.intent.replace('_', ' ')}</Td>
                          <Td dataLabel="Expires">{token.expiresAt ? formatTime(token.expiresAt) : 'never'}</Td>
                        </Tr>
                      ))}
                      {liveTokens.length === 0 && (
                        <Tr>
                          <Td colSpan={3}>No active tokens.</Td>
                        </Tr>
                      )}
                    </Tbody>
                  </Table>
                </CardBody>
              </Card>
            </GridItem>
            <DownstreamRestore userId={data.id} />
          </Grid>
        )}
      </PageSection>
      {accountModal === 'edit' && data && (
        <EditUserModal
          user={data}
          onClose={() => setAccountModal(null)}
          onDone={(result) => {
            setAccountModal(null);
            setNotice(result);
          }}
        />
      )}
      {accountModal === 'deactivate' && data && (
        <DeactivateUserModal
          user={data}
          counts={{ sessions: sessions.data ? liveSessions.length : null, tokens: tokens.data ? liveTokens.length : null }}
          onClose={() => setAccountModal(null)}
          onDone={(result) => {
            setAccountModal(null);
            setNotice(result);
          }}
        />
      )}
      {accountModal === 'delete' && data && <DeleteUserModal user={data} onClose={() => setAccountModal(null)} />}
      {passwordOpen && data && <SetPasswordModal user={data} onClose={() => setPasswordOpen(false)} />}
      {recovery && data && (
        <Modal isOpen variant="medium" onClose={() => setRecovery(null)} aria-labelledby="recovery-title">
          <ModalHeader title="Recovery link" labelId="recovery-title" />
          <ModalBody>
            <p>
              Send this link to {data.username}. It works once and expires at {formatTime(recovery.expiresAt)}.
            </p>
            <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" textAriaLabel="Recovery link" data-testid="recovery-link">
              {recovery.link}
            </ClipboardCopy>
            <Alert variant="warning" isInline title="Re-enrol MFA" style={{ marginTop: '1rem' }}>
              {recovery.message}
            </Alert>
          </ModalBody>
          <ModalFooter>
            <Button onClick={() => setRecovery(null)}>Done</Button>
          </ModalFooter>
        </Modal>
      )}
    </>
  );
}

function Term({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{label}</DescriptionListTerm>
      <DescriptionListDescription>{children}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}

function SetPasswordModal({ user, onClose }: { user: User; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const save = useMutation({
    mutationFn: () => api.post(`/users/${user.id}/set_password`, { password }),
    onSuccess: () => setDone(true),
    onError: (err) => setError(err instanceof ApiError ? err.fieldErrors().password ?? err.message : String(err)),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== confirm) return setError('The two passwords differ.');
    setError(null);
    save.mutate();
  }
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="password-title">
      <ModalHeader title={`Set password for ${user.username}`} labelId="password-title" />
      <ModalBody>
        {done ? (
          <Alert variant="success" isInline title="Password set.">
            Tell the user their new password through a safe channel and ask them to re-enrol their MFA devices.
          </Alert>
        ) : (
          <Form id="set-password" onSubmit={submit}>
            <Field label="New password" id="new-password" isRequired>
              <TextInput id="new-password" type="password" autoComplete="new-password" value={password} onChange={(_event, value) => setPassword(value)} validated={error ? 'error' : 'default'} />
            </Field>
            <Field label="Repeat it" id="confirm-password" isRequired error={error ?? undefined} helper="At least 8 characters.">
              <TextInput id="confirm-password" type="password" autoComplete="new-password" value={confirm} onChange={(_event, value) => setConfirm(value)} validated={error ? 'error' : 'default'} />
            </Field>
          </Form>
        )}
      </ModalBody>
      <ModalFooter>
        {!done && (
          <Button type="submit" form="set-password" isLoading={save.isPending}>
            Set password
          </Button>
        )}
        <Button variant="link" onClick={onClose}>
          {done ? 'Close' : 'Cancel'}
        </Button>
      </ModalFooter>
    </Modal>
  );
}
