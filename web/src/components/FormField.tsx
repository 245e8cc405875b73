import { FormGroup, FormHelperText, HelperText, HelperTextItem } from '@patternfly/react-core';
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api';

/**
 * The console's forms show what the API refused beside the field it names (zod `details`),
 * and anything else above the buttons. `useFormErrors` splits a refusal that way; `Field`
 * is a labelled form group with its error or helper text.
 */
export function useFormErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  return {
    errors,
    failure,
    clear: () => {
      setErrors({});
      setFailure(null);
    },
    take: (err: unknown) => {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors(fields);
      setFailure(Object.keys(fields).length ? null : err);
    },
  };
}

export function Field({ label, id, error, helper, isRequired, children }: { label: string; id: string; error?: string; helper?: string; isRequired?: boolean; children: ReactNode }) {
  return (
    <FormGroup label={label} fieldId={id} isRequired={isRequired}>
      {children}
      {(error || helper) && (
        <FormHelperText>
          <HelperText>
            <HelperTextItem variant={error ? 'error' : 'default'}>{error ?? helper}</HelperTextItem>
          </HelperText>
        </FormHelperText>
      )}
    </FormGroup>
  );
}
