import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api';
import type { Page, Session, Token } from '../../types';

/**
 * A user's sessions and tokens that still work (null until loaded). Every part of the user page
 * that counts or lists them calls this; react-query fetches each list once for all of them.
 */
export function useLiveCredentials(userId: string): { sessions: Session[] | null; tokens: Token[] | null } {
  const sessions = useQuery({ queryKey: ['user', userId, 'sessions'], queryFn: () => api.get<Page<Session>>(`/users/${userId}/sessions`) });
  const tokens = useQuery({ queryKey: ['user', userId, 'tokens'], queryFn: () => api.get<Page<Token>>(`/users/${userId}/tokens`) });
  return {
    sessions: sessions.data ? sessions.data.items.filter((session) => !session.expired) : null,
    tokens: tokens.data ? tokens.data.items.filter((token) => !token.expired) : null,
  };
}

/** Reloads what the user page shows of a user after an action: the user, its credentials and what the viewer may now do. */
export function useRefreshUser(userId: string) {
  const client = useQueryClient();
  return () => Promise.all([client.invalidateQueries({ queryKey: ['user', userId] }), client.invalidateQueries({ queryKey: ['capabilities', userId] })]);
}
