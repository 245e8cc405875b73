import { Button, ExpandableSection, DataList, DataListCell, DataListItem, DataListItemCells, DataListItemRow, Flex, Label, PageSection, Title } from '@patternfly/react-core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatTime } from '../components/Labels';
import { Loading } from '../session';
import type { Notification, Page } from '../types';

const SEVERITY_COLORS = { notice: 'blue', warning: 'orange', alert: 'red' } as const;

/** The signed-in user's inbox (the `local` notification transport). */
export function NotificationsPage() {
  const client = useQueryClient();
  const pages = useCursorPages();
  const notifications = useQuery({
    queryKey: ['my-notifications', pages.cursor],
    queryFn: () => api.get<Page<Notification>>(`/me/notifications${query({ limit: 25, cursor: pages.cursor })}`),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  const seen = useMutation({
    mutationFn: (id: string) => api.post<Notification>(`/me/notifications/${id}/seen`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['my-notifications'] }),
  });
  const items = notifications.data?.items ?? [];
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Notifications</Title>
      </PageSection>
      <PageSection>
        <ErrorAlert error={notifications.error ?? seen.error} title="Notifications cannot be shown" />
        {notifications.isPending ? (
          <Loading />
        ) : items.length === 0 ? (
          <p>No notifications.</p>
        ) : (
          <DataList aria-label="Notifications">
            {items.map((notification) => (
              <DataListItem key={notification.id} aria-labelledby={`notification-${notification.id}`}>
                <DataListItemRow>
                  <DataListItemCells
                    dataListCells={[
                      <DataListCell key="main" width={4}>
                        <Flex spaceItems={{ default: 'spaceItemsSm' }} alignItems={{ default: 'alignItemsCenter' }}>
                          <Label color={SEVERITY_COLORS[notification.severity]} isCompact>
                            {notification.severity}
                          </Label>
                          <strong id={`notification-${notification.id}`}>{notification.title}</strong>
                          {!notification.seen && (
                            <Label color="purple" isCompact>
                              New
                            </Label>
                          )}
                        </Flex>
                        <NotificationBody body={notification.body} />
                      </DataListCell>,
                      <DataListCell key="time" width={1}>
                        {formatTime(notification.createdAt)}
                      </DataListCell>,
                      <DataListCell key="action" width={1}>
                        {!notification.seen && (
                          <Button variant="link" isInline onClick={() => seen.mutate(notification.id)}>
                            Mark as seen
                          </Button>
                        )}
                      </DataListCell>,
                    ]}
                  />
                </DataListItemRow>
              </DataListItem>
            ))}
          </DataList>
        )}
        <CursorPager pages={pages} nextCursor={notifications.data?.nextCursor} label="Notifications" />
      </PageSection>
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
