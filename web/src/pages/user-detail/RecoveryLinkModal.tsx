import { Alert, Button, ClipboardCopy, Modal, ModalBody, ModalFooter, ModalHeader } from '@patternfly/react-core';
import { formatTime } from '../../components/Labels';
import type { RecoveryLink, User } from '../../types';

/** A recovery link just created: shown once, to copy and send to the user. */
export function RecoveryLinkModal({ user, recovery, onClose }: { user: User; recovery: RecoveryLink; onClose: () => void }) {
  return (
    <Modal isOpen variant="medium" onClose={onClose} aria-labelledby="recovery-title">
      <ModalHeader title="Recovery link" labelId="recovery-title" />
      <ModalBody>
        <p>
          Send this link to {user.username}. It works once and expires at {formatTime(recovery.expiresAt)}.
        </p>
        <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" textAriaLabel="Recovery link" data-testid="recovery-link">
          {recovery.link}
        </ClipboardCopy>
        <Alert variant="warning" isInline title="Re-enrol MFA" style={{ marginTop: '1rem' }}>
          {recovery.message}
        </Alert>
      </ModalBody>
      <ModalFooter>
        <Button onClick={onClose}>Done</Button>
      </ModalFooter>
    </Modal>
  );
}
