import { Alert } from '@patternfly/react-core';
import { ApiError } from '../api';

/** What the API refused, as the API said it: never a blank page. */
export function ErrorAlert({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const fields = error instanceof ApiError ? Object.entries(error.fieldErrors()) : [];
  return (
    <Alert variant="danger" isInline title={title} role="alert">
      <p>{message}</p>
      {fields.length > 1 && (
        <ul>
          {fields.map(([field, text]) => (
            <li key={field}>
              {field}: {text}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}
