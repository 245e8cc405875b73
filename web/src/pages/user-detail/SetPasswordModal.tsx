import { Alert, Button, Form, Modal, ModalBody, ModalFooter, ModalHeader, TextInput } from '@patternfly/react-core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api';
import { Field } from '../../components/FormField';
import type { User } from '../../types';

/** Sets a new password for the user (POST /users/:id/set_password), typed twice. */
export function SetPasswordModal({ user, onClose }: { user: User; onClose: () => void }) {
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
