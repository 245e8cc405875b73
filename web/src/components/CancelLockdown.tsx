import { Button, Modal, ModalBody, ModalFooter, ModalHeader } from '@patternfly/react-core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError } from '../api';
import type { Lockdown } from '../types';
import { ErrorAlert } from './ErrorAlert';

/**
 * Cancel, confirmed: the dialog says what cancelling does now in the API's own words
 * (`cancellation.effect`, the same words as the README and each left-out user's result).
 * Shown only when the API says the viewer may cancel (`viewerMayCancel`).
 */
export function CancelLockdown({ lockdown, label = 'Cancel', onCancelled }: { lockdown: Lockdown; label?: string; onCancelled?: (next: Lockdown) => void }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const cancel = useMutation({
    mutationFn: () => api.post<Lockdown>(`/lockdowns/${lockdown.id}/cancel`),
    onSuccess: (next) => {
      client.setQueryData(['lockdown', lockdown.id], next);
      void client.invalidateQueries({ queryKey: ['lockdowns'] });
      setOpen(false);
      onCancelled?.(next);
    },
    onError: (err) => {
      // Finished meanwhile: the page shows how it ended.
      if (err instanceof ApiError && err.status === 409) void client.invalidateQueries({ queryKey: ['lockdown', lockdown.id] });
    },
  });
  if (!lockdown.viewerMayCancel) return null;
  const many = lockdown.targetCount > 1;
  return (
    <>
      <Button variant="secondary" isDanger onClick={() => setOpen(true)}>
        {label}
      </Button>
      {open && (
        <Modal isOpen variant="small" onClose={() => setOpen(false)} aria-labelledby="cancel-title" aria-describedby="cancel-body">
          <ModalHeader title={`Cancel the lockdown of ${many ? `${lockdown.targetCount} users` : 'this user'}?`} labelId="cancel-title" titleIconVariant="warning" />
          <ModalBody id="cancel-body">
            <p data-testid="cancel-effect">{lockdown.cancellation.effect}</p>
            {lockdown.status === 'running' && lockdown.progress.pending > 0 && (
              <p style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}>
                Right now: {lockdown.progress.locked} locked, {lockdown.progress.pending} not finished.
              </p>
            )}
            <div style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
              <ErrorAlert error={cancel.error} title="The lockdown was not cancelled" />
            </div>
          </ModalBody>
          <ModalFooter>
            <Button variant="danger" onClick={() => cancel.mutate()} isLoading={cancel.isPending} isDisabled={cancel.isPending}>
              Cancel the lockdown
            </Button>
            <Button variant="link" onClick={() => setOpen(false)}>
              {lockdown.status === 'running' ? 'Keep it running' : 'Keep it'}
            </Button>
          </ModalFooter>
        </Modal>
      )}
    </>
  );
}
