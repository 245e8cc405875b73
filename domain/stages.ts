import type { LockdownActions } from './lockdown-actions';

/**
 * Flows and their stages — every kind, condition and setting declared once here. Pure: the
 * workflow imports it. Code that handles stages switches over `StageKind` with
 * `unknownStageKind` in the default branch, so a new kind is a compile error everywhere it
 * must be handled; a stage of a kind this code does not know is refused when it is bound to
 * a flow. The API's zod enums are built from these lists and services/schema-parity.ts holds
 * Prisma's enums to them.
 */
export const STAGE_KINDS = ['prompt', 'account_lockdown'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export const BINDING_CONDITIONS = ['always', 'admin_only', 'self_service_only'] as const;
export type BindingCondition = (typeof BINDING_CONDITIONS)[number];

export const FLOW_AUTHENTICATIONS = ['none', 'require_authenticated', 'require_superuser'] as const;
export type FlowAuthentication = (typeof FLOW_AUTHENTICATIONS)[number];

export const FLOW_DESIGNATIONS = ['stage_configuration'] as const;
export type FlowDesignation = (typeof FLOW_DESIGNATIONS)[number];

export const PROMPT_FIELD_TYPES = ['text', 'text_area', 'text_read_only', 'alert_info', 'alert_warning', 'alert_danger', 'hidden'] as const;
export type PromptFieldType = (typeof PROMPT_FIELD_TYPES)[number];

/** Field types that show something and take no input. */
export const DISPLAY_ONLY_FIELD_TYPES: readonly PromptFieldType[] = ['alert_info', 'alert_warning', 'alert_danger', 'text_read_only', 'hidden'];

export function isStageKind(kind: string): kind is StageKind {
  return (STAGE_KINDS as readonly string[]).includes(kind);
}

export function unknownStageKind(kind: never): never {
  throw new Error(`Unknown stage kind: ${String(kind)}`);
}

/** Whether a stage binding applies to a run — decided here only. */
export function bindingApplies(condition: BindingCondition, selfService: boolean): boolean {
  if (condition === 'admin_only') return !selfService;
  if (condition === 'self_service_only') return selfService;
  return true;
}

// ── The flow as a lockdown runs it: a snapshot taken when it was requested (plain data: it crosses Temporal's payload boundary) ──

export interface PromptFieldSnapshot {
  fieldKey: string;
  label: string;
  type: string;
  required: boolean;
  order: number;
  placeholder: string;
  subText: string;
  initialValue: string;
}

export interface PromptStageSnapshot {
  kind: 'prompt';
  name: string;
  fields: PromptFieldSnapshot[];
}

export interface AccountLockdownStageSnapshot {
  kind: 'account_lockdown';
  name: string;
  actions: LockdownActions;
  selfServiceMessageTitle: string;
  selfServiceMessage: string;
  completionFlowSlug: string | null;
  /** Two-person approval for bulk lockdowns over the threshold (absent in snapshots made before it existed). */
  requireApproval?: boolean;
}

export type StageSnapshot = PromptStageSnapshot | AccountLockdownStageSnapshot;

/** The brand's lockdown flow as it was when the lockdown was requested, conditions applied. */
export interface FlowSnapshot {
  slug: string;
  title: string;
  stages: StageSnapshot[];
}

/** How a self-service run ends for its caller: the completion flow's page, or a message. */
export interface Completion {
  redirect?: string;
  message?: { title: string; body: string };
}

/** A prompt answer refused, per field. */
export interface FieldError {
  field: string;
  message: string;
}

/** Who did something, as recorded with it. */
export interface ActorRef {
  id: string;
  username: string;
}

/** The stricter of two authentication requirements (FLOW_AUTHENTICATIONS is in increasing strictness). */
export function stricterAuthentication(a: FlowAuthentication, b: FlowAuthentication): FlowAuthentication {
  return FLOW_AUTHENTICATIONS.indexOf(a) >= FLOW_AUTHENTICATIONS.indexOf(b) ? a : b;
}
