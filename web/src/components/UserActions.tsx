import { Alert, Button, Form, Modal, ModalBody, ModalFooter, ModalHeader, TextArea, TextInput } from '@patternfly/react-core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError } from '../api';
import type { User } from '../types';
import { ErrorAlert } from './ErrorAlert';
import { Field, useFormErrors } from './FormField';

/** What a user action answered, for the page to show once its modal is closed. */
export interface ActionNotice {
  variant: 'success' | 'warning';
  title: string;
  body?: string;
}

/** Why a deactivation or deletion did not go through, as the API said it (409 failed run, 503 no worker in time). */
function RefusalAlert({ error, what }: { error: unknown; what: string }) {
  if (error instanceof ApiError && error.status === 503)
    return (
      <Alert variant="warning" isInline title={`The ${what} is recorded but has not finished yet`} role="alert">
        {error.message}
      </Alert>
    );
  return <ErrorAlert error={error} title={`The ${what} did not go through`} />;
}

/** Edit name and email (PATCH /users/:id); the API's refusals are shown beside the fields. */
export function EditUserModal({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: (notice: ActionNotice) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email);
  const form = useFormErrors();
  const save = useMutation({
    mutationFn: () => api.patch<User>(`/users/${user.id}`, { name, email: email.trim() }),
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ['user', user.id] });
      void client.invalidateQueries({ queryKey: ['users'] });
      onDone({ variant: 'success', title: `Saved the details of ${saved.username}.`, body: `Name: ${saved.name || '—'} · Email: ${saved.email || '—'}` });
    },
    onError: form.take,
  });
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="edit-user-title">
      <ModalHeader title={`Edit ${user.username}`} labelId="edit-user-title" />
      <ModalBody>
        <Form
          id="edit-user"
          onSubmit={(event) => {
            event.preventDefault();
            form.clear();
            save.mutate();
          }}
        >
          <Field label="Name" id="edit-user-name" error={form.errors.name}>
            <TextInput id="edit-user-name" value={name} onChange={(_event, value) => setName(value)} validated={form.errors.name ? 'error' : 'default'} />
          </Field>
          <Field label="Email" id="edit-user-email" error={form.errors.email} helper="Leave empty for none.">
            <TextInput id="edit-user-email" type="email" value={email} onChange={(_event, value) => setEmail(value)} validated={form.errors.email ? 'error' : 'default'} />
          </Field>
          <ErrorAlert error={form.failure} title="The details were not saved" />
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="edit-user" isLoading={save.isPending} isDisabled={save.isPending}>
          Save
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/**
 * Deactivate (PATCH /users/:id `isActive: false`): the API runs the per-user lockdown steps —
 * every session ended, every token revoked, verified, audited — and answers once they finished.
 */
export function DeactivateUserModal({
  user,
  counts,
  onClose,
  onDone,
}: {
  user: User;
  counts: { sessions: number | null; tokens: number | null };
  onClose: () => void;
  onDone: (notice: ActionNotice) => void;
}) {
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const deactivate = useMutation({
    mutationFn: () => api.patch<User>(`/users/${user.id}`, { isActive: false, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
    onSuccess: (saved) => {
      // The user page also shows what the API decides from the new state (locked down, last lockdown, capabilities).
      void client.invalidateQueries({ queryKey: ['user', user.id] });
      void client.invalidateQueries({ queryKey: ['capabilities', user.id] });
      void client.invalidateQueries({ queryKey: ['users'] });
      onDone({
        variant: 'success',
        title: `${saved.username} is deactivated.`,
        body: 'Every session was ended and every token revoked; the account cannot log in. Activate it again (Restore access) to give access back.',
      });
    },
  });
  const known = counts.sessions !== null && counts.tokens !== null;
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="deactivate-title" aria-describedby="deactivate-body">
      <ModalHeader title={`Deactivate ${user.username}?`} labelId="deactivate-title" titleIconVariant="warning" />
      <ModalBody>
        <div id="deactivate-body">
          <p>
            Deactivating ends <strong>every session</strong> of {user.username} and revokes <strong>every token</strong> (API, app password, recovery and verification) at once;
            the account can no longer log in. The password is kept, so activating the account later gives access back — the ended sessions and revoked tokens stay dead.
          </p>
          {known && (
            <p style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}>
              Right now: {counts.sessions} active session{counts.sessions === 1 ? '' : 's'}, {counts.tokens} active token{counts.tokens === 1 ? '' : 's'}.
            </p>
          )}
        </div>
        <Form
          id="deactivate-user"
          style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}
          onSubmit={(event) => {
            event.preventDefault();
            deactivate.mutate();
          }}
        >
          <Field label="Reason" id="deactivate-reason" helper="Optional; recorded in the audit event.">
            <TextArea id="deactivate-reason" value={reason} onChange={(_event, value) => setReason(value)} maxLength={1000} resizeOrientation="vertical" rows={2} />
          </Field>
          <RefusalAlert error={deactivate.error} what="deactivation" />
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="deactivate-user" variant="danger" isLoading={deactivate.isPending} isDisabled={deactivate.isPending}>
          Deactivate
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/** Delete (DELETE /users/:id), irreversible: typing the username confirms it. */
export function DeleteUserModal({ user, onClose }: { user: User; onClose: () => void }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const remove = useMutation({
    mutationFn: () => api.delete<void>(`/users/${user.id}`),
    onSuccess: () => {
      client.removeQueries({ queryKey: ['user', user.id] });
      void client.invalidateQueries({ queryKey: ['users'] });
      navigate('/users', { state: { deleted: user.username } });
    },
  });
  const confirmed = typed.trim() === user.username;
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="delete-title" aria-describedby="delete-body">
      <ModalHeader title={`Delete ${user.username}?`} labelId="delete-title" titleIconVariant="danger" />
      <ModalBody>
        <div id="delete-body">
          <p>
            <strong>This cannot be undone.</strong> Every session of {user.username} is ended and every token revoked first, then the account is deleted. Its rows in lockdown
            results go with it; the audit events stay.
          </p>
          <p style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}>To keep the account but stop its access, deactivate it instead.</p>
        </div>
        <Form
          id="delete-user"
          style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}
          onSubmit={(event) => {
            event.preventDefault();
            if (confirmed) remove.mutate();
          }}
        >
          <Field label={`Type ${user.username} to confirm`} id="delete-confirm" isRequired>
            <TextInput id="delete-confirm" value={typed} onChange={(_event, value) => setTyped(value)} autoComplete="off" />
          </Field>
          <RefusalAlert error={remove.error} what="deletion" />
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="delete-user" variant="danger" isLoading={remove.isPending} isDisabled={!confirmed || remove.isPending}>
          Delete user
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
