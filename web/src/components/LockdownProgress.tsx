import { Label, Progress, ProgressMeasureLocation, ProgressVariant } from '@patternfly/react-core';
import type { Lockdown } from '../types';

/** The bar and the four counts of a run; the caller refreshes `lockdown` while it runs. */
export function LockdownProgress({ lockdown }: { lockdown: Lockdown }) {
  const { total, locked, failed, cancelled, pending } = lockdown.progress;
  const done = locked + failed + cancelled;
    const variant = failed > 0 ? ProgressVariant.warning : lockdown.status === 'completed' ? ProgressVariant.success : undefined;
  return (
    <>
      <Progress
        value={total ? (done / total) * 100 : 0}
        title={`${done} of ${total} user${total === 1 ? '' : 's'} processed`}
        measureLocation={ProgressMeasureLocation.outside}
        variant={variant}
        aria-label="Lockdown progress"
      />
      <div className="progress-counts" aria-live="polite" data-testid="progress-counts">
        <Label color="green">Locked: {locked}</Label>
        <Label color="red">Failed: {failed}</Label>
        <Label color="grey">Cancelled: {cancelled}</Label>
        <Label color="blue">Pending: {pending}</Label>
      </div>
    </>
  );
}
