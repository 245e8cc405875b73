import { Alert, AlertActionLink } from '@patternfly/react-core';
import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, ApiError } from '../api';
import { useCapabilities } from '../session';
import type { Lockdown } from '../types';
import { ErrorAlert } from './ErrorAlert';

/** Starts a lockdown without a reason, so the flow's prompt asks for it, and opens the flow page. */
export function useStartLockdown() {
  const navigate = useNavigate();
  return useMutation({
    mutationFn: (body: { user?: string; users?: string[] }) => api.post<Lockdown>('/lockdowns', body),
    onSuccess: (lockdown) => navigate(`/flows/${encodeURIComponent(lockdown.flow.slug)}?lockdown=${lockdown.id}`),
  });
}

/** Why a lockdown could not start; "No lockdown flow configured" as the seed's troubleshooting says. */
export function StartLockdownError({ error }: { error: unknown }) {
  const can = useCapabilities().data;
  const navigate = useNavigate();
  if (!error) return null;
  if (error instanceof ApiError && error.code === 'no_lockdown_flow') {
    return (
      <Alert
        variant="danger"
        isInline
        title="No lockdown flow configured"
        actionLinks={can?.changeSecuritySettings ? <AlertActionLink onClick={() => navigate('/configuration?tab=brands')}>Set the lockdown flow on the brand</AlertActionLink> : undefined}
      >
        Set a lockdown flow on your brand (<strong>Configuration</strong> › <strong>Brands</strong>){can?.changeSecuritySettings ? '.' : '; only a superuser can set it — ask one to do it.'}
      </Alert>
    );
  }
  if (error instanceof ApiError && error.code === 'already_locked') {
    const lockdownId = (error.details[0] as { lockdownId?: string | null } | undefined)?.lockdownId;
    return (
      <Alert variant="info" isInline title="Already locked: nothing was started">
        <p>{error.message}</p>
        {lockdownId && <Link to={`/lockdowns/${lockdownId}`}>Open the lockdown that locked this user</Link>}
      </Alert>
    );
  }
  if (error instanceof ApiError && error.code === 'invalid_users') {
    const details = error.details as { id: string; reason: string }[];
    return (
      <Alert variant="danger" isInline title="Some selected accounts cannot be locked">
        <ul>
          {details.map((detail) => (
            <li key={detail.id}>
              {detail.id}: {detail.reason === 'protected' ? 'a protected account (anonymous user or internal service account)' : 'no such user'}
            </li>
          ))}
        </ul>
      </Alert>
    );
  }
  return <ErrorAlert error={error} title="The lockdown could not start" />;
}
