import { Alert, Button, Flex, Form, Modal, ModalBody, ModalFooter, ModalHeader, TextArea } from '@patternfly/react-core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError } from '../api';
import { useMe } from '../session';
import type { Lockdown } from '../types';
import { ErrorAlert } from './ErrorAlert';
import { Field } from './FormField';
import { formatTime } from './Labels';

type Decision = 'approve' | 'reject';

const users = (count: number) => `${count} user${count === 1 ? '' : 's'}`;

/** "in 23 hours", "in 5 minutes": how long a request still waits. */
function timeLeft(iso: string): string {
  const minutes = Math.round((new Date(iso).getTime() - Date.now()) / 60_000);
  if (minutes <= 0) return 'any moment now';
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return `in ${hours} hour${hours === 1 ? '' : 's'}`;
}

/**
 * Two-person approval of a large bulk lockdown, as its detail page shows it: while it waits, a
 * banner saying who asked, for how many users and until when, with Approve and Reject for a
 * viewer allowed to decide; afterwards, who decided, when and with what comment.
 */
export function ApprovalBanner({ lockdown }: { lockdown: Lockdown }) {
  const [decision, setDecision] = useState<Decision | null>(null);
  if (!lockdown.approval) return null;
  return (
    <>
      <ApprovalState lockdown={lockdown} onDecide={setDecision} />
      {/* Outside the banner: it stays open (with its error) when the lockdown was decided meanwhile. */}
      {decision && <DecisionModal lockdown={lockdown} decision={decision} onClose={() => setDecision(null)} />}
    </>
  );
}

function ApprovalState({ lockdown, onDecide }: { lockdown: Lockdown; onDecide: (decision: Decision) => void }) {
  const me = useMe().data;
  const approval = lockdown.approval;
  if (!approval) return null;

  if (lockdown.status === 'awaiting_approval') {
    const isRequester = me?.id === lockdown.actor.id;
    // The API says whether this viewer may decide (services/authorization.ts canDecideLockdownApproval).
    const mayDecide = approval.viewerMayDecide;
    return (
      <Alert variant="warning" isInline title="Waiting for a second administrator’s approval" data-testid="approval-banner">
        <p>
          <strong>{lockdown.actor.username}</strong> asked to lock down <strong>{users(lockdown.progress.total)}</strong> on {formatTime(lockdown.createdAt)}. Nobody is locked until
          another administrator approves.
        </p>
        {approval.expiresAt && (
          <p>
            The request expires {timeLeft(approval.expiresAt)} ({formatTime(approval.expiresAt)}); if nobody decides by then, nobody is locked.
          </p>
        )}
        {isRequester && <p>You requested this lockdown: another administrator must approve or reject it. You can still cancel it.</p>}
        {!isRequester && !mayDecide && <p>Only an administrator with the change_user permission on every one of these users can approve or reject it.</p>}
        {mayDecide && (
          <Flex spaceItems={{ default: 'spaceItemsSm' }} style={{ marginTop: 'var(--pf-t--global--spacer--sm)' }}>
            <Button variant="primary" onClick={() => onDecide('approve')}>
              Approve
            </Button>
            <Button variant="danger" onClick={() => onDecide('reject')}>
              Reject
            </Button>
          </Flex>
        )}
      </Alert>
    );
  }

  const who = approval.approver?.username ?? 'someone';
  const when = formatTime(approval.decidedAt);
  const comment = approval.comment ? <p>Comment: “{approval.comment}”</p> : <p>No comment.</p>;
  // A request cancelled while it waited keeps `outcome: null` (the schema also allows 'cancelled').
  const outcome = approval.outcome ?? (lockdown.status === 'cancelled' ? 'cancelled' : null);
  switch (outcome) {
    case 'approved':
      return (
        <Alert variant="success" isInline title={`Approved by ${who}`} data-testid="approval-banner">
          <p>Approved on {when}; the lockdown ran after the approval.</p>
          {comment}
        </Alert>
      );
    case 'rejected':
      return (
        <Alert variant="danger" isInline title={`Rejected by ${who}: nobody was locked`} data-testid="approval-banner">
          <p>Rejected on {when}. Every one of the {users(lockdown.progress.total)} was left as it was.</p>
          {comment}
        </Alert>
      );
    case 'expired':
      return (
        <Alert variant="warning" isInline title="Expired: nobody approved in time, nobody was locked" data-testid="approval-banner">
          <p>The request waited until {formatTime(approval.expiresAt)} without a decision. Every one of the {users(lockdown.progress.total)} was left as it was.</p>
        </Alert>
      );
    case 'cancelled':
      return (
        <Alert variant="info" isInline title="Cancelled while waiting for approval: nobody was locked" data-testid="approval-banner">
          <p>Cancelled on {formatTime(lockdown.completedAt)}.</p>
        </Alert>
      );
    default:
      return null;
  }
}

/** Approve or reject, with an optional comment recorded in the audit log and the workflow history. */
function DecisionModal({ lockdown, decision, onClose }: { lockdown: Lockdown; decision: Decision; onClose: () => void }) {
  const client = useQueryClient();
  const [comment, setComment] = useState('');
  const decide = useMutation({
    mutationFn: () => api.post<Lockdown>(`/lockdowns/${lockdown.id}/${decision}`, comment.trim() ? { comment: comment.trim() } : {}),
    onSuccess: (next) => {
      client.setQueryData(['lockdown', lockdown.id], next);
      void client.invalidateQueries({ queryKey: ['lockdowns'] });
      onClose();
    },
  });
  const approve = decision === 'approve';
  const title = approve ? `Approve the lockdown of ${users(lockdown.progress.total)}?` : `Reject the lockdown of ${users(lockdown.progress.total)}?`;
  const error = decide.error;
  return (
    <Modal isOpen variant="small" onClose={onClose} aria-labelledby="decision-title" aria-describedby="decision-body">
      <ModalHeader title={title} labelId="decision-title" />
      <ModalBody id="decision-body">
        <p>
          Requested by <strong>{lockdown.actor.username}</strong>. Reason: {lockdown.reason ?? '—'}
        </p>
        <p style={{ margin: 'var(--pf-t--global--spacer--sm) 0 var(--pf-t--global--spacer--md)' }}>
          {approve
            ? 'Approving runs the lockdown at once: every one of these users is deactivated, their sessions ended and their tokens revoked.'
            : 'Rejecting ends the request: nobody is locked.'}
        </p>
        <Form
          id="decision-form"
          onSubmit={(event) => {
            event.preventDefault();
            decide.mutate();
          }}
        >
          <Field label="Comment" id="decision-comment" helper="Optional; recorded with your decision in the audit log.">
            <TextArea id="decision-comment" value={comment} onChange={(_event, value) => setComment(value)} maxLength={1000} resizeOrientation="vertical" />
          </Field>
        </Form>
        {error instanceof ApiError && error.status === 403 && (
          <Alert variant="danger" isInline title="You cannot decide this lockdown" role="alert" style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
            {error.message}
          </Alert>
        )}
        {error instanceof ApiError && error.status === 409 && (
          <Alert variant="warning" isInline title="This lockdown is no longer waiting for approval" role="alert" style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
            {error.message} The page shows its current state.
          </Alert>
        )}
        {error && !(error instanceof ApiError && (error.status === 403 || error.status === 409)) && (
          <div style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
            <ErrorAlert error={error} title="The decision was not recorded" />
          </div>
        )}
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="decision-form" variant={approve ? 'primary' : 'danger'} isLoading={decide.isPending} isDisabled={decide.isPending}>
          {approve ? 'Approve' : 'Reject'}
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
