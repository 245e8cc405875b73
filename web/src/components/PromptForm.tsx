import { ActionGroup, Alert, Button, Form, FormGroup, FormHelperText, HelperText, HelperTextItem, TextArea, TextInput } from '@patternfly/react-core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import type { RenderedField, RenderedStage } from '../types';
import { ErrorAlert } from './ErrorAlert';
import { SafeHtml } from './SafeHtml';

const ALERT_VARIANTS = { alert_info: 'info', alert_warning: 'warning', alert_danger: 'danger' } as const;

/** Draws a prompt stage as the API rendered it: alerts, then its inputs with their errors beside them. */
export function PromptForm({
  stage,
  submitLabel = 'Continue',
  onSubmit,
  onCancel,
  cancelLabel = 'Cancel',
}: {
  stage: RenderedStage;
  submitLabel?: string;
  onSubmit?: (values: Record<string, string>) => Promise<unknown>;
  onCancel?: () => void;
  cancelLabel?: string;
}) {
  const inputs = stage.fields.filter((field) => field.type === 'text' || field.type === 'text_area' || field.type === 'hidden');
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(inputs.map((field) => [field.fieldKey, field.initialValue])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!onSubmit) return;
    const missing = Object.fromEntries(inputs.filter((field) => field.required && !values[field.fieldKey]?.trim()).map((field) => [field.fieldKey, `${field.label || field.fieldKey} is required.`]));
    setErrors(missing);
    setFailure(null);
    if (Object.keys(missing).length > 0) {
      document.getElementById(`field-${Object.keys(missing)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await onSubmit(values);
    } catch (err) {
      const fieldErrors = err instanceof ApiError ? err.fieldErrors() : {};
      const known = Object.fromEntries(Object.entries(fieldErrors).filter(([key]) => inputs.some((field) => field.fieldKey === key)));
      setErrors(known);
      if (Object.keys(known).length === 0) setFailure(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form onSubmit={submit} noValidate aria-label={stage.name}>
      {stage.fields.map((field) => (
        <StageField
          key={field.fieldKey}
          field={field}
          value={values[field.fieldKey] ?? ''}
          error={errors[field.fieldKey]}
          onChange={(value) => {
            setValues((old) => ({ ...old, [field.fieldKey]: value }));
            // An error said about what was there before no longer holds once it is typed over.
            if (errors[field.fieldKey]) setErrors(({ [field.fieldKey]: _gone, ...rest }) => rest);
          }}
        />
      ))}
      <ErrorAlert error={failure} title="The lockdown could not continue" />
      {(onSubmit || onCancel) && (
        <ActionGroup>
          {onSubmit && (
            <Button type="submit" variant="danger" isLoading={busy} isDisabled={busy}>
              {submitLabel}
            </Button>
          )}
          {onCancel && (
            <Button variant="link" onClick={onCancel} isDisabled={busy}>
              {cancelLabel}
            </Button>
          )}
        </ActionGroup>
      )}
    </Form>
  );
}

function StageField({ field, value, error, onChange }: { field: RenderedField; value: string; error?: string; onChange: (value: string) => void }) {
  if (field.type in ALERT_VARIANTS) {
    const variant = ALERT_VARIANTS[field.type as keyof typeof ALERT_VARIANTS];
    return (
      <Alert variant={variant} isInline title={field.label || field.fieldKey} data-field={field.fieldKey}>
        <SafeHtml html={field.initialValue} className="prompt-html" />
      </Alert>
    );
  }
  if (field.type === 'hidden') return null;
  if (field.type === 'text_read_only') {
    return (
      <FormGroup label={field.label} fieldId={`field-${field.fieldKey}`}>
        <TextInput id={`field-${field.fieldKey}`} value={field.initialValue} readOnlyVariant="default" />
      </FormGroup>
    );
  }
  const id = `field-${field.fieldKey}`;
  const helper = error ?? field.subText;
  const common = {
    id,
    name: field.fieldKey,
    value,
    isRequired: field.required,
    placeholder: field.placeholder,
    validated: error ? ('error' as const) : ('default' as const),
    'aria-describedby': helper ? `${id}-helper` : undefined,
    'aria-invalid': error ? true : undefined,
  };
  return (
    <FormGroup label={field.label || field.fieldKey} isRequired={field.required} fieldId={id}>
      {field.type === 'text_area' ? (
        <TextArea {...common} onChange={(_event, text) => onChange(text)} resizeOrientation="vertical" rows={4} />
      ) : (
        <TextInput {...common} onChange={(_event, text) => onChange(text)} />
      )}
      {helper && (
        <FormHelperText>
          <HelperText id={`${id}-helper`}>
            <HelperTextItem variant={error ? 'error' : 'default'}>{helper}</HelperTextItem>
          </HelperText>
        </FormHelperText>
      )}
    </FormGroup>
  );
}
