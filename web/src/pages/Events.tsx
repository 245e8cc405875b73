import { Button, Form, FormGroup, FormSelect, FormSelectOption, PageSection, TextInput, Title, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, query } from '../api';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatTime } from '../components/Labels';
import { Loading } from '../session';
import type { Event, Page } from '../types';

export const EVENT_ACTIONS = [{ value: 'account_lockdown_triggered', label: 'Account Lockdown Triggered' }];

/** The audit log, filtered by action and user. */
export function EventsPage() {
  const [filters, setFilters] = useState({ action: '', affectedUser: '', actor: '' });
  const [draft, setDraft] = useState(filters);
  const pages = useCursorPages();
  const events = useQuery({
    queryKey: ['events', filters, pages.cursor],
    queryFn: () => api.get<Page<Event>>(`/events${query({ ...filters, limit: 25, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
  });
  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters({ action: draft.action, affectedUser: draft.affectedUser.trim(), actor: draft.actor.trim() });
    pages.reset();
  }
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Events</Title>
        <p>The audit log. Each locked user has one “Account Lockdown Triggered” event with the reason.</p>
      </PageSection>
      <PageSection>
        <Form onSubmit={apply} isHorizontal={false}>
          <Toolbar>
            <ToolbarContent>
              <ToolbarItem>
                <FormGroup label="Action" fieldId="filter-action">
                  <FormSelect id="filter-action" value={draft.action} onChange={(_event, value) => setDraft({ ...draft, action: value })}>
                    <FormSelectOption value="" label="Any action" />
                    {EVENT_ACTIONS.map((action) => (
                      <FormSelectOption key={action.value} value={action.value} label={action.label} />
                    ))}
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
        <ErrorAlert error={events.error} title="Events cannot be listed" />
        {events.isPending ? (
          <Loading />
        ) : (
          <Table aria-label="Events" variant="compact">
            <Thead>
              <Tr>
                <Th modifier="fitContent">Time</Th>
                <Th modifier="wrap">Action</Th>
                <Th modifier="wrap">Actor</Th>
                <Th modifier="wrap">Affected user</Th>
                <Th modifier="wrap" width={30}>Reason</Th>
                <Th modifier="fitContent">Client IP</Th>
                <Th modifier="fitContent">Lockdown</Th>
              </Tr>
            </Thead>
            <Tbody>
              {events.data?.items.map((event) => (
                <Tr key={event.id}>
                  <Td dataLabel="Time">{formatTime(event.createdAt)}</Td>
                  <Td dataLabel="Action">{EVENT_ACTIONS.find((action) => action.value === event.action)?.label ?? event.action}</Td>
                  <Td dataLabel="Actor">{event.actor?.username ?? '—'}</Td>
                  <Td dataLabel="Affected user">{String(event.context.affected_user ?? '—')}</Td>
                  <Td dataLabel="Reason" modifier="wrap">
                    {String(event.context.reason ?? '')}
                  </Td>
                  <Td dataLabel="Client IP">{event.clientIp ?? '—'}</Td>
                  <Td dataLabel="Lockdown">{event.lockdownId ? <Link to={`/lockdowns/${event.lockdownId}`}>details</Link> : '—'}</Td>
                </Tr>
              ))}
              {events.data?.items.length === 0 && (
                <Tr>
                  <Td colSpan={7}>No events match.</Td>
                </Tr>
              )}
            </Tbody>
          </Table>
        )}
      </PageSection>
    </>
  );
}
