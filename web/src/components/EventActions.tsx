import { FormSelectOption, FormSelectOptionGroup } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import type { EventActionInfo, EventCategory } from '../types';

/** Category names as the console shows them. */
export const CATEGORY_LABELS: Record<EventCategory, string> = {
  lockdown: 'Lockdowns',
  restore: 'Restoring access',
  administration: 'Administration',
  configuration: 'Configuration',
};

/**
 * The one table of audit event actions (GET /api/v1/events/actions: domain/events.ts), with
 * their readable labels: the Events page, its Action filter and the event-matcher form all
 * speak it, so every action the server writes has a name in the console.
 */
export function useEventActions() {
  const actions = useQuery({
    queryKey: ['event-actions'],
    queryFn: () => api.get<{ items: EventActionInfo[] }>('/events/actions'),
    staleTime: Infinity,
  });
  const items = actions.data?.items ?? [];
  return {
    items,
    error: actions.error,
    /** The label of an action; an action the server no longer declares shows as it is. */
    label: (action: string | null | undefined) => (action ? (items.find((item) => item.action === action)?.label ?? action) : ''),
  };
}

/** The actions as select options, grouped by category. */
export function EventActionOptions({ items }: { items: EventActionInfo[] }) {
  const categories = [...new Set(items.map((item) => item.category))];
  return (
    <>
      {categories.map((category) => (
        <FormSelectOptionGroup key={category} label={CATEGORY_LABELS[category]}>
          {items
            .filter((item) => item.category === category)
            .map((item) => (
              <FormSelectOption key={item.action} value={item.action} label={item.label} />
            ))}
        </FormSelectOptionGroup>
      ))}
    </>
  );
}
