import {
  Button,
  DataList,
  DataListCell,
  DataListContent,
  DataListItem,
  DataListItemCells,
  DataListItemRow,
  DataListToggle,
  ExpandableSection,
  Flex,
  Label,
  PageSection,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, query } from '../api';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatTime } from '../components/Labels';
import { Loading } from '../session';
import type { Notification, NotificationGroup, Page } from '../types';

const SEVERITY_COLORS = { notice: 'blue', warning: 'orange', alert: 'red' } as const;

/**
 * The signed-in user's inbox (the `local` notification transport), grouped by lockdown: a
 * rule alerting per lockdown sends one summary, and one alerting per user still makes one
 * group of its 300 notifications. "Mark all seen" clears the inbox at once.
 */
export function NotificationsPage() {
  const client = useQueryClient();
  const pages = useCursorPages();
  const groups = useQuery({
    queryKey: ['my-notifications', 'groups', pages.cursor],
    queryFn: () => api.get<Page<NotificationGroup>>(`/me/notifications/groups${query({ limit: 25, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  const markSeen = useMutation({
    mutationFn: (group: NotificationGroup | null) =>
      group && group.lockdownId === null ? api.post(`/me/notifications/${group.latest.id}/seen`) : api.post('/me/notifications/seen', group ? { lockdownId: group.lockdownId } : {}),
    onSuccess: () => client.invalidateQueries({ queryKey: ['my-notifications'] }),
  });
  const items = groups.data?.items ?? [];
  const unseen = items.reduce((sum, group) => sum + group.unseen, 0);
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Notifications</Title>
      </PageSection>
      <PageSection>
        <Toolbar inset={{ default: 'insetNone' }}>
          <ToolbarContent>
            <ToolbarItem>
              <Button variant="secondary" onClick={() => markSeen.mutate(null)} isDisabled={unseen === 0 || markSeen.isPending} isLoading={markSeen.isPending && markSeen.variables === null}>
                Mark all seen
              </Button>
            </ToolbarItem>
            <ToolbarItem align={{ default: 'alignEnd' }}>
              <CursorPager pages={pages} nextCursor={groups.data?.nextCursor} label="Notifications" />
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        <ErrorAlert error={groups.error ?? markSeen.error} title="Notifications cannot be shown" />
        {groups.isPending ? (
          <Loading />
        ) : items.length === 0 ? (
          <p>No notifications.</p>
        ) : (
          <DataList aria-label="Notifications by lockdown">
            {items.map((group) => (
              <GroupItem key={group.lockdownId ?? group.latest.id} group={group} onSeen={() => markSeen.mutate(group)} />
            ))}
          </DataList>
        )}
      </PageSection>
    </>
  );
}

function GroupItem({ group, onSeen }: { group: NotificationGroup; onSeen: () => void }) {
  const [expanded, setExpanded] = useState(false);
  const { latest } = group;
  const id = `notification-${latest.id}`;
  return (
    <DataListItem aria-labelledby={id} isExpanded={expanded}>
      <DataListItemRow>
        {group.count > 1 && (
          <DataListToggle
            id={`${id}-toggle`}
            aria-controls={`${id}-all`}
            isExpanded={expanded}
            onClick={() => setExpanded(!expanded)}
            aria-label={`All ${group.count} notifications of this lockdown`}
          />
        )}
        <DataListItemCells
          dataListCells={[
            <DataListCell key="main" width={4}>
              <Flex spaceItems={{ default: 'spaceItemsSm' }} alignItems={{ default: 'alignItemsCenter' }}>
                <Label color={SEVERITY_COLORS[latest.severity]} isCompact>
                  {latest.severity}
                </Label>
                <strong id={id}>{latest.title}</strong>
                {group.count > 1 && <Label isCompact>{group.count} notifications</Label>}
                {group.unseen > 0 && (
                  <Label color="purple" isCompact>
                    {group.count > 1 ? `${group.unseen} new` : 'New'}
                  </Label>
                )}
              </Flex>
              <NotificationBody body={latest.body} />
              {group.lockdownId && (
                <Link to={`/lockdowns/${group.lockdownId}`} className="notification-link">
                  Open the lockdown
                </Link>
              )}
            </DataListCell>,
            <DataListCell key="time" width={1}>
              {formatTime(latest.createdAt)}
            </DataListCell>,
            <DataListCell key="action" width={1}>
              {group.unseen > 0 && (
                <Button variant="link" isInline onClick={onSeen}>
                  {group.count > 1 ? 'Mark these seen' : 'Mark as seen'}
                </Button>
              )}
            </DataListCell>,
          ]}
        />
      </DataListItemRow>
      {group.count > 1 && (
        <DataListContent id={`${id}-all`} aria-label={`Notifications of lockdown ${group.lockdownId}`} isHidden={!expanded}>
          {expanded && group.lockdownId && <GroupNotifications lockdownId={group.lockdownId} />}
        </DataListContent>
      )}
    </DataListItem>
  );
}

/** Every notification of one lockdown, paged: e.g. the per-user alerts of a rule that asks for them. */
function GroupNotifications({ lockdownId }: { lockdownId: string }) {
  const pages = useCursorPages();
  const notifications = useQuery({
    queryKey: ['my-notifications', lockdownId, pages.cursor],
    queryFn: () => api.get<Page<Notification>>(`/me/notifications${query({ lockdownId, limit: 20, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <ErrorAlert error={notifications.error} title="These notifications cannot be shown" />
      <ul className="notification-group">
        {notifications.data?.items.map((notification) => (
          <li key={notification.id}>
            {formatTime(notification.createdAt)} — {notification.title}
            {!notification.seen && ' (new)'}
          </li>
        ))}
      </ul>
      <CursorPager pages={pages} nextCursor={notifications.data?.nextCursor} label="Notifications of this lockdown" />
    </>
  );
}

/** The first paragraph says what happened; the rest (every detail of the event) opens on demand. */
function NotificationBody({ body }: { body: string }) {
  const [summary, ...rest] = body.split(/\n\s*\n/);
  return (
    <>
      <p style={{ marginTop: '.25rem' }}>{summary}</p>
      {rest.length > 0 && (
        <ExpandableSection toggleTextCollapsed="Show details" toggleTextExpanded="Hide details">
          <pre className="notification-details">{rest.join('\n\n')}</pre>
        </ExpandableSection>
      )}
    </>
  );
}
