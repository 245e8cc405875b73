import type * as Prisma from '../generated/prisma/enums';
import type { TokenIntent, UserType } from '../domain/accounts';
import type { AccountMappingKind, ConnectorKind, DownstreamStatus } from '../domain/connectors';
import type { LockdownStatus, TargetStatus } from '../domain/lockdown-status';
import type { AlertPer, DeliveryStatus, NotificationMode, NotificationSeverity } from '../domain/notifications';
import type { PermissionName } from '../domain/permissions';
import type { SubjectFormat } from '../domain/security-events';
import type { BindingCondition, FlowAuthentication, FlowDesignation, PromptFieldType, StageKind } from '../domain/stages';

/**
 * Compile-time only: every list declared in domain/ equals the PostgreSQL enum Prisma
 * generated for it, both ways. A value added on one side and not the other fails
 * `npm run typecheck` here, instead of at the first insert.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type SchemaParity = [
  Assert<Same<UserType, Prisma.UserType>>,
  Assert<Same<TokenIntent, Prisma.TokenIntent>>,
  Assert<Same<PermissionName, Prisma.PermissionName>>,
  Assert<Same<FlowDesignation, Prisma.FlowDesignation>>,
  Assert<Same<FlowAuthentication, Prisma.FlowAuthentication>>,
  Assert<Same<StageKind, Prisma.StageKind>>,
  Assert<Same<BindingCondition, Prisma.BindingCondition>>,
  Assert<Same<PromptFieldType, Prisma.PromptFieldType>>,
  Assert<Same<LockdownStatus, Prisma.LockdownStatus>>,
  Assert<Same<TargetStatus, Prisma.LockdownTargetStatus>>,
  Assert<Same<NotificationMode, Prisma.NotificationTransportMode>>,
  Assert<Same<NotificationSeverity, Prisma.NotificationSeverity>>,
  Assert<Same<DeliveryStatus, Prisma.NotificationDeliveryStatus>>,
  Assert<Same<AlertPer, Prisma.NotificationRuleAlertPer>>,
  Assert<Same<SubjectFormat, Prisma.SsfSubjectFormat>>,
  Assert<Same<ConnectorKind, Prisma.ConnectorKind>>,
  Assert<Same<AccountMappingKind, Prisma.AccountMappingKind>>,
  Assert<Same<DownstreamStatus, Prisma.DownstreamStatus>>,
];
