import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import type { LockdownActionInfo } from '../types';

/**
 * The switchable actions of an Account Lockdown stage (GET /api/v1/stages/account_lockdown/actions:
 * domain/lockdown-actions.ts), in the order they run: the stage switches, the results' count
 * columns and the timeline's step words all come from it, so a new action shows without a
 * console change.
 */
export function useLockdownActions() {
  const actions = useQuery({
    queryKey: ['lockdown-actions'],
    queryFn: () => api.get<{ items: LockdownActionInfo[] }>('/stages/account_lockdown/actions'),
    staleTime: Infinity,
  });
  const items = actions.data?.items ?? [];
  return { items, counters: items.flatMap((action) => (action.counter ? [action.counter] : [])), error: actions.error, isPending: actions.isPending };
}
