/**
 * The kinds of stage a lockdown flow can hold — declared once. Pure: the workflow imports
 * it. Code that handles stages switches over `StageKind` with `unknownStageKind` in the
 * default branch, so a new kind is a compile error everywhere it must be handled; a stage
 * of a kind this code does not know is refused when it is bound to a flow.
 */
export const STAGE_KINDS = ['prompt', 'account_lockdown'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export function isStageKind(kind: string): kind is StageKind {
  return (STAGE_KINDS as readonly string[]).includes(kind);
}

export function unknownStageKind(kind: never): never {
  throw new Error(`Unknown stage kind: ${String(kind)}`);
}

export type BindingCondition = 'always' | 'admin_only' | 'self_service_only';

/** Whether a stage binding applies to a run — decided here only. */
export function bindingApplies(condition: BindingCondition, selfService: boolean): boolean {
  if (condition === 'admin_only') return !selfService;
  if (condition === 'self_service_only') return selfService;
  return true;
}
