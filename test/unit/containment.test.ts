import { CONTAINED_ON_RECORD_MAX_TARGETS, containedOnRecord } from '../../domain/containment';
import type { AccountLockdownStageSnapshot, FlowSnapshot, PromptStageSnapshot } from '../../domain/stages';

/** When a lockdown's own transaction deactivates its targets (domain/containment.ts). */
const reasonPrompt: PromptStageSnapshot = {
  kind: 'prompt',
  name: 'reason',
  fields: [{ fieldKey: 'reason', label: 'Reason', type: 'text', required: true, order: 0, placeholder: '', subText: '', initialValue: '' }],
};
const lockdownStage = (deactivateUser = true): AccountLockdownStageSnapshot => ({
  kind: 'account_lockdown',
  name: 'lockdown',
  actions: { deactivateUser, setUnusablePassword: true, deleteSessions: true, revokeTokens: true },
  selfServiceMessageTitle: '',
  selfServiceMessage: '',
  completionFlowSlug: null,
});
const flow = (...stages: FlowSnapshot['stages']): FlowSnapshot => ({ slug: 'f', title: 'F', stages });
const options = { targetCount: 1, needsApproval: false, containmentFirst: true };

describe('containment on record', () => {
  it('when the prompts before the lockdown stage are answered by the request, then the record contains', () => {
    expect(containedOnRecord(flow(reasonPrompt, lockdownStage(), reasonPrompt), { reason: 'phished' }, options)).toBe(true);
    expect(containedOnRecord(flow(lockdownStage()), {}, options)).toBe(true);
  });
  it('when a prompt before the lockdown stage waits for an answer, then nobody is touched on record', () => {
    expect(containedOnRecord(flow(reasonPrompt, lockdownStage()), {}, options)).toBe(false);
    expect(containedOnRecord(flow(reasonPrompt, lockdownStage()), { reason: '' }, options)).toBe(false);
  });
  it('when approval is needed, the stage does not deactivate, containment is off, there is no target or too many, then nobody is touched on record', () => {
    const answered = flow(reasonPrompt, lockdownStage());
    expect(containedOnRecord(answered, { reason: 'x' }, { ...options, needsApproval: true })).toBe(false);
    expect(containedOnRecord(flow(reasonPrompt, lockdownStage(false)), { reason: 'x' }, options)).toBe(false);
    expect(containedOnRecord(answered, { reason: 'x' }, { ...options, containmentFirst: false })).toBe(false);
    expect(containedOnRecord(answered, { reason: 'x' }, { ...options, targetCount: 0 })).toBe(false);
    expect(containedOnRecord(answered, { reason: 'x' }, { ...options, targetCount: CONTAINED_ON_RECORD_MAX_TARGETS })).toBe(true);
    expect(containedOnRecord(answered, { reason: 'x' }, { ...options, targetCount: CONTAINED_ON_RECORD_MAX_TARGETS + 1 })).toBe(false);
    expect(containedOnRecord(flow(reasonPrompt), { reason: 'x' }, options)).toBe(false);
  });
});
