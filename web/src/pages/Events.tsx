import { Button, Form, FormGroup, FormSelect, FormSelectOption, PageSection, TextInput, Title, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, query } from '../api';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { CATEGORY_LABELS, EventActionOptions, useEventActions } from '../components/EventActions';
import { formatTime } from '../components/Labels';
import { Loading } from '../session';
import type { Event, EventCategory, Page } from '../types';

/** What an event is about besides its actor and affected user: the lockdown counts, the configuration changed, the permission, the token. */
function eventDetail(event: Event): string {
  const context = event.context as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof context.target_count === 'number') parts.push(`${context.target_count} users`);
  if (typeof context.locked === 'number') parts.push(`${context.locked} locked, ${context.failed ?? 0} failed, ${context.cancelled ?? 0} cancelled`);
  if (typeof context.model === 'string') parts.push(`${context.model}${typeof context.name === 'string' ? ` “${context.name}”` : ''}`);
  if (typeof context.permission === 'string') parts.push(`${context.permission}${context.scope === 'user' ? ' on one user' : ' (global)'}`);
  if (typeof context.intent === 'string') parts.push(`${context.intent} token`);
  if (typeof context.error === 'string') parts.push(context.error);
  if (typeof context.comment === 'string' && context.comment) parts.push(`“${context.comment}”`);
  return parts.join(' · ');
}

/** The audit log, filtered by category, action and user; every action by its readable label. */
export function EventsPage() {
  const actions = useEventActions();
  const [filters, setFilters] = useState({ category: '', action: '', affectedUser: '', actor: '' });
  const [draft, setDraft] = useState(filters);
  const pages = useCursorPages();
  const events = useQuery({
    queryKey: ['events', filters, pages.cursor],
    queryFn: () => api.get<Page<Event>>(`/events${query({ ...filters, limit: 25, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
  });
  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters({ category: draft.category, action: draft.action, affectedUser: draft.affectedUser.trim(), actor: draft.actor.trim() });
    pages.reset();
  }
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Events</Title>
        <p>The audit log. Each locked user has one “Account Lockdown Triggered” event with the reason; each lockdown ends with one “Lockdown Finished (summary)”.</p>
      </PageSection>
      <PageSection>
        <Form onSubmit={apply} isHorizontal={false}>
          <Toolbar>
            <ToolbarContent>
              <ToolbarItem>
                <FormGroup label="Category" fieldId="filter-category">
                  <FormSelect id="filter-category" value={draft.category} onChange={(_event, value) => setDraft({ ...draft, category: value, action: '' })}>
                    <FormSelectOption value="" label="Any category" />
                    {(Object.keys(CATEGORY_LABELS) as EventCategory[]).map((category) => (
                      <FormSelectOption key={category} value={category} label={CATEGORY_LABELS[category]} />
                    ))}
                  </FormSelect>
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem>
                <FormGroup label="Action" fieldId="filter-action">
                  <FormSelect id="filter-action" value={draft.action} onChange={(_event, value) => setDraft({ ...draft, action: value })}>
                    <FormSelectOption value="" label="Any action" />
                    <EventActionOptions items={actions.items.filter((item) => !draft.category || item.category === draft.category)} />
                  </FormSelect>
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem>
                <FormGroup label="Affected user" fieldId="filter-user">
                  <TextInput id="filter-user" value={draft.affectedUser} onChange={(_event, value) => setDraft({ ...draft, affectedUser: value })} placeholder="username" />
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem>
                <FormGroup label="Actor" fieldId="filter-actor">
                  <TextInput id="filter-actor" value={draft.actor} onChange={(_event, value) => setDraft({ ...draft, actor: value })} placeholder="username" />
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem alignSelf="end">
                <Button type="submit" variant="secondary">
                  Filter
                </Button>
              </ToolbarItem>
              <ToolbarItem align={{ default: 'alignEnd' }} alignSelf="end">
                <CursorPager pages={pages} nextCursor={events.data?.nextCursor} label="Events" />
              </ToolbarItem>
            </ToolbarContent>
          </Toolbar>
        </Form>
        <ErrorAlert error={events.error ?? actions.error} title="Events cannot be listed" />
        {events.isPending ? (
          <Loading />
        ) : (
          <Table aria-label="Events" variant="compact">
            <Thead>
              <Tr>
                <Th modifier="nowrap">Time</Th>
                <Th modifier="wrap" width={15}>Action</Th>
                <Th modifier="wrap">Actor</Th>
                <Th modifier="wrap">Affected user</Th>
                <Th modifier="wrap" width={20}>Reason</Th>
                <Th modifier="wrap" width={20}>Details</Th>
                <Th modifier="fitContent">Client IP</Th>
                <Th modifier="fitContent">Lockdown</Th>
              </Tr>
            </Thead>
            <Tbody>
              {events.data?.items.map((event) => (
                <Tr key={event.id}>
                  <Td dataLabel="Time" modifier="nowrap">
                    {formatTime(event.createdAt)}
                  </Td>
                  <Td dataLabel="Action">{actions.label(event.action)}</Td>
                  <Td dataLabel="Actor">{event.actor?.username ?? '—'}</Td>
                  <Td dataLabel="Affected user">{String(event.context.affected_user ?? '—')}</Td>
                  <Td dataLabel="Reason" modifier="wrap">
                    {String(event.context.reason ?? '')}
                  </Td>
                  <Td dataLabel="Details" modifier="breakWord">
                    {eventDetail(event)}
                  </Td>
                  <Td dataLabel="Client IP">{event.clientIp ?? '—'}</Td>
                  <Td dataLabel="Lockdown">{event.lockdownId ? <Link to={`/lockdowns/${event.lockdownId}`}>details</Link> : '—'}</Td>
                </Tr>
              ))}
              {events.data?.items.length === 0 && (
                <Tr>
                  <Td colSpan={8}>No events match.</Td>
                </Tr>
              )}
            </Tbody>
          </Table>
        )}
      </PageSection>
    </>
  );
}
