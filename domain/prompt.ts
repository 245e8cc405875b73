import type { FieldError, PromptStageSnapshot } from '../workflows/types';

/**
 * Prompt submissions: which fields take input and whether a submission is complete.
 * Pure: the workflow's update validator uses it, so the API gets the same per-field errors.
 */
const DISPLAY_ONLY_TYPES = new Set(['alert_info', 'alert_warning', 'alert_danger', 'text_read_only', 'hidden']);

export function inputFields(stage: PromptStageSnapshot) {
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

/** Keeps only the stage's input fields, as strings. */
export function acceptedValues(stage: PromptStageSnapshot, values: Record<string, unknown>): Record<string, string> {
  const accepted: Record<string, string> = {};
  for (const field of inputFields(stage)) {
    const value = values[field.fieldKey];
    if (typeof value === 'string') accepted[field.fieldKey] = value;
  }
  return accepted;
}
