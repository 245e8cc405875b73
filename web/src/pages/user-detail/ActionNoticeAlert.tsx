import { Alert, AlertActionCloseButton } from '@patternfly/react-core';
import type { ActionNotice } from '../../components/UserActions';

/** What the last edit or deactivation answered, above the cards until it is closed. */
export function ActionNoticeAlert({ notice, onClose }: { notice: ActionNotice | null; onClose: () => void }) {
  if (!notice) return null;
  return (
    <Alert
      variant={notice.variant}
      isInline
      title={notice.title}
      actionClose={<AlertActionCloseButton onClose={onClose} />}
      style={{ marginBottom: 'var(--pf-t--global--spacer--md)' }}
      data-testid="user-action-result"
    >
      {notice.body}
    </Alert>
  );
}
