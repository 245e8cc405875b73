import { Label, Progress, ProgressMeasureLocation, ProgressVariant } from '@patternfly/react-core';
import { LockIcon } from '@patternfly/react-icons';
import type { Lockdown } from '../types';

/**
 * "Contained N/N": containment first made every target inactive (every credential refused)
 * before the per-user runs — the moment a bulk lockdown is under control. Shown as soon as the
 * API reports it; nothing when the run has no containment step.
 */
export function ContainmentLabel({ lockdown }: { lockdown: Lockdown }) {
  const { containment, targetCount } = lockdown;
  if (!containment) return null;
  const all = containment.contained === targetCount;
  return (
    <Label color={all && containment.finishedAt ? 'green' : 'orange'} icon={<LockIcon />} data-testid="containment">
      {containment.finishedAt ? 'Contained' : 'Containing'} {containment.contained}/{targetCount}
    </Label>
  );
}

/** The counts of a run, one label each (the caller refreshes `lockdown` while it runs). */
export function ProgressCounts({ lockdown }: { lockdown: Lockdown }) {
  const { locked, failed, cancelled, pending } = lockdown.progress;
  return (
    <div className="progress-counts" aria-live="polite" data-testid="progress-counts">
      <ContainmentLabel lockdown={lockdown} />
      <Label color="green">Locked: {locked}</Label>
      <Label color="red">Failed: {failed}</Label>
      <Label color="grey">Cancelled: {cancelled}</Label>
      {(pending > 0 || !lockdown.finished) && <Label color="blue">Pending: {pending}</Label>}
    </div>
  );
}

/** The bar and the counts of a run under way; a finished run shows its summary instead (LockdownSummary). */
export function LockdownProgress({ lockdown }: { lockdown: Lockdown }) {
  const { total, locked, failed, cancelled } = lockdown.progress;
  const done = locked + failed + cancelled;
  return (
    <>
      <Progress
        value={total ? (done / total) * 100 : 0}
        title={`${done} of ${total} user${total === 1 ? '' : 's'} finished`}
        measureLocation={ProgressMeasureLocation.outside}
        variant={failed > 0 ? ProgressVariant.warning : undefined}
        aria-label="Lockdown progress"
      />
      <ProgressCounts lockdown={lockdown} />
    </>
  );
}
