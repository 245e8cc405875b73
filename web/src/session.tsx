import { Bullseye, Spinner } from '@patternfly/react-core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { api, ApiError, consumeSessionLost, forgetCsrfToken } from './api';
import type { Capabilities, User } from './types';

/** The signed-in user, or null. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await api.getAnonymous<User>('/me');
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

/** What the signed-in user may do: globally, or on one user. */
export function useCapabilities(userId?: string) {
  return useQuery({
    queryKey: ['capabilities', userId ?? null],
    queryFn: () => api.get<Capabilities>(`/me/capabilities${userId ? `?user=${encodeURIComponent(userId)}` : ''}`),
    staleTime: 30_000,
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    await api.post('/auth/logout').catch(() => undefined);
    forgetCsrfToken();
    client.clear();
    client.setQueryData(['me'], null);
  };
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Bullseye style={{ minHeight: '8rem' }}>
      <Spinner aria-label={label} />
    </Bullseye>
  );
}

/** Pages that need a session send the visitor to the login page, then back. */
export function RequireSession({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (!me.data) return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}`, expired: consumeSessionLost() }} />;
  return <>{children}</>;
}
