import { DISPLAY_ONLY_FIELD_TYPES, type FieldError, type PromptStageSnapshot } from './stages';

/**
 * Prompt submissions: which fields take input, whether a submission is complete, and
 * whether its values can be recorded. Pure: the workflow's update validator uses it, so
 * an answer PostgreSQL would refuse is rejected before the workflow accepts it (and the
 * API gets the same per-field errors).
 */
const DISPLAY_ONLY_TYPES = new Set<string>(DISPLAY_ONLY_FIELD_TYPES);

/** Longest prompt answer kept (the audit log is not a file store). */
export const PROMPT_VALUE_MAX_LENGTH = 10_000;

// PostgreSQL refuses NUL in text and jsonb, and jsonb refuses unpaired UTF-16 surrogates.
// eslint-disable-next-line no-control-regex
const UNRECORDABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a text cannot be recorded as given, or null when it can. */
export function unrecordableText(value: string, maxLength = PROMPT_VALUE_MAX_LENGTH): string | null {
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (UNRECORDABLE.test(value)) return 'contains characters that cannot be stored (NUL or an unpaired surrogate)';
  return null;
}

function inputFields(stage: PromptStageSnapshot) {
  return stage.fields.filter((field) => !DISPLAY_ONLY_TYPES.has(field.type));
}

export function missingRequiredFields(stage: PromptStageSnapshot, values: Record<string, unknown>): FieldError[] {
  return inputFields(stage)
    .filter((field) => field.required)
    .filter((field) => {
      const value = values[field.fieldKey];
      return typeof value !== 'string' || value.trim() === '';
    })
    .map((field) => ({ field: field.fieldKey, message: `${field.label || field.fieldKey} is required.` }));
}

/** Every reason the submission cannot be accepted, per field: missing, or not recordable. */
export function invalidFields(stage: PromptStageSnapshot, values: Record<string, unknown>): FieldError[] {
  const unrecordable = inputFields(stage).flatMap((field) => {
    const value = values[field.fieldKey];
    const problem = typeof value === 'string' ? unrecordableText(value) : null;
    return problem ? [{ field: field.fieldKey, message: `${field.label || field.fieldKey} ${problem}.` }] : [];
  });
  return [...missingRequiredFields(stage, values), ...unrecordable];
}

/** Keeps only the stage's input fields, as strings. */
export function acceptedValues(stage: PromptStageSnapshot, values: Record<string, unknown>): Record<string, string> {
  const accepted: Record<string, string> = {};
  for (const field of inputFields(stage)) {
    const value = values[field.fieldKey];
    if (typeof value === 'string') accepted[field.fieldKey] = value;
  }
  return accepted;
}
