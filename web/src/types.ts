import type { z } from 'zod';
import type * as api from '../../api/schemas';
import type * as audit from '../../api/schemas/audit';
import type * as consoleApi from '../../api/schemas/console';
import type * as preview from '../../api/schemas/lockdown-preview';
import type * as events from '../../api/schemas/events';
import type * as notifications from '../../api/schemas/notifications';
import type * as users from '../../api/schemas/users';

/**
 * Types of the API's answers, inferred from the same zod schemas that validate and
 * document them (type-only imports: nothing of the server reaches the bundle).
 */
export type User = z.infer<typeof api.User>;
export type Lockdown = z.infer<typeof api.Lockdown>;
export type LockdownResult = z.infer<typeof api.LockdownResult>;
export type LockdownStatus = z.infer<typeof api.LockdownStatus>;
export type RenderedField = z.infer<typeof api.RenderedField>;
export type RenderedStage = z.infer<typeof api.RenderedStage>;
export type Event = z.infer<typeof api.Event>;
export type Session = z.infer<typeof api.SessionInfo>;
export type Token = z.infer<typeof api.TokenInfo>;
export type RecoveryLink = z.infer<typeof api.RecoveryLink>;
export type LoginResponse = z.infer<typeof api.LoginResponse>;
export type Brand = z.infer<typeof api.Brand>;
export type Flow = z.infer<typeof api.Flow>;
export type FlowExecutor = z.infer<typeof api.FlowExecutor>;
export type PromptStage = z.infer<typeof api.PromptStage>;
export type AccountLockdownStage = z.infer<typeof api.AccountLockdownStage>;
export type PatchAccountLockdownStage = z.input<typeof api.PatchAccountLockdownStageBody>;
export type Capabilities = z.infer<typeof consoleApi.Capabilities>;
export type CsrfToken = z.infer<typeof consoleApi.CsrfToken>;
export type Group = z.infer<typeof notifications.Group>;
export type EventMatcherPolicy = z.infer<typeof notifications.EventMatcherPolicy>;
export type CreateEventMatcherPolicy = z.input<typeof notifications.CreateEventMatcherPolicyBody>;
export type NotificationTransport = z.infer<typeof notifications.NotificationTransport>;
export type CreateNotificationTransport = z.input<typeof notifications.CreateNotificationTransportBody>;
export type NotificationRule = z.infer<typeof notifications.NotificationRule>;
export type CreateNotificationRule = z.input<typeof notifications.CreateNotificationRuleBody>;
export type Notification = z.infer<typeof notifications.Notification>;
export type DirectoryUser = z.infer<typeof users.DirectoryUser>;
export type UserDetail = z.infer<typeof users.UserDetail>;
export type LastLockdown = z.infer<typeof users.LastLockdown>;
export type UserPage = z.infer<typeof users.UserPage>;
export type LockdownPreviewRequest = z.input<typeof preview.LockdownPreviewBody>;
export type LockdownPreview = z.infer<typeof preview.LockdownPreview>;
export type NotificationGroup = z.infer<typeof notifications.NotificationGroup>;
export type AlertPer = z.infer<typeof notifications.AlertPer>;
export type EventActionInfo = z.infer<typeof events.EventActionInfo>;
export type EventCategory = z.infer<typeof events.EventCategory>;
export type LockdownTimeline = z.infer<typeof audit.LockdownTimeline>;
export type TimelineUser = z.infer<typeof audit.TimelineUser>;
export type ResultsQuery = z.input<typeof api.ResultsQuery>;
export type TargetStatus = LockdownResult['status'];
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
