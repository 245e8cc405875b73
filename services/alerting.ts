import { denied, invalid, notFoundError } from '../domain/errors';
import type { AlertPer, NotificationMode, NotificationSeverity } from '../domain/notifications';
import { type Actor } from '../domain/permissions';
import { canConfigureAlerting } from './authorization';
import type { Prisma } from '../generated/prisma/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { outboundPolicy, refusedAddressLiteral } from '../lib/outbound-address';
import { fieldDiff, writeConfigurationEvent } from './audit-log';
import type { AuditMeta, ConfigurationActor } from './configuration-guard';
import { newestFirst, newestFirstPage } from './cursor';
import { conflictOnDuplicate } from './unique-violation';

/**
 * Alerting configuration: groups and their members, event matcher policies, notification
 * transports and the rules that bind them (change_user, globally); a rule alerts once per
 * lockdown (its summary) unless it asks for one alert per user (domain/notifications.ts). Every change is written
 * with its `model_*` audit event in one transaction; a webhook secret shows in the diff only
 * as set or not.
 */
export interface PageRequest {
  cursor?: string;
  limit: number;
}

export type TransportRequest =
  | { name: string; mode: 'local' }
  | { name: string; mode: 'webhook'; webhookUrl: string; webhookSecret?: string }
  | { name: string; mode: 'email'; email?: { to?: string } };

export interface RuleRequest {
  name: string;
  severity: NotificationSeverity;
  /** One alert per lockdown (its summary; the default) or one per user. */
  alertPer?: AlertPer;
  destinationGroupId?: string | null;
  transportIds: string[];
  policyIds: string[];
}

const groupInclude = { members: { include: { user: { select: { id: true, username: true } } }, orderBy: { createdAt: 'asc' } } } as const;

function toGroup(group: Prisma.GroupGetPayload<{ include: typeof groupInclude }>) {
  return { id: group.id, name: group.name, members: group.members.map((member) => member.user), createdAt: group.createdAt.toISOString() };
}

function toPolicy(policy: { id: string; name: string; action: string | null; clientIp: string | null; createdAt: Date }) {
  return { id: policy.id, name: policy.name, action: policy.action, clientIp: policy.clientIp, createdAt: policy.createdAt.toISOString() };
}

function toTransport(transport: Prisma.NotificationTransportGetPayload<object>) {
  return {
    id: transport.id,
    name: transport.name,
    mode: transport.mode,
    webhookUrl: transport.webhookUrl,
    hasSecret: transport.webhookSecret !== null,
    email: transport.mode === 'email' ? { to: transport.emailTo } : null,
    createdAt: transport.createdAt.toISOString(),
  };
}

const ruleInclude = { transports: { select: { id: true } }, policies: { select: { id: true } } } as const;

function toRule(rule: Prisma.NotificationRuleGetPayload<{ include: typeof ruleInclude }>) {
  return {
    id: rule.id,
    name: rule.name,
    severity: rule.severity,
    alertPer: rule.alertPer,
    destinationGroupId: rule.destinationGroupId,
    transportIds: rule.transports.map((transport) => transport.id),
    policyIds: rule.policies.map((policy) => policy.id),
    createdAt: rule.createdAt.toISOString(),
  };
}

/** One `details` entry per id in `ids` that is not among `found`. */
function unknownIds(field: string, ids: string[], found: { id: string }[], what: string) {
  const known = new Set(found.map((row) => row.id));
  return ids.flatMap((id, index) => (known.has(id) ? [] : [{ field: `${field}.${index}`, message: `No ${what} with this id.` }]));
}

/** Names are unique per kind: a duplicate is a 409, not a 500. */
const uniqueName = <T>(what: string, write: Promise<T>) => conflictOnDuplicate(write, `A ${what} with this name already exists.`, 'name_taken');

export function createAlerting(db: Db, config: Pick<Config, 'OUTBOUND_ALLOWED_DESTINATIONS'>) {
  const policy = outboundPolicy(config.OUTBOUND_ALLOWED_DESTINATIONS);
  async function mayConfigure(actor: Actor) {
    if (!(await canConfigureAlerting(db, actor))) throw denied('This needs the change_user permission.');
  }

  return {
    async listGroups(actor: Actor, page: PageRequest) {
      await mayConfigure(actor);
      const { where, orderBy } = newestFirst(page.cursor);
      const rows = await db.group.findMany({ where, orderBy, take: page.limit + 1, include: groupInclude });
      return newestFirstPage(rows, page.limit, toGroup);
    },

    async createGroup(actor: ConfigurationActor, name: string, meta: AuditMeta) {
      await mayConfigure(actor);
      return uniqueName(
        'group',
        db.$transaction(async (tx) => {
          const group = await tx.group.create({ data: { name }, include: groupInclude });
          await writeConfigurationEvent(tx, 'created', { model: 'group', id: group.id, name }, fieldDiff(null, { name }), actor, meta);
          return toGroup(group);
        }),
      );
    },

    /** Adding a member twice changes nothing and records nothing. */
    async addGroupMember(actor: ConfigurationActor, groupId: string, userId: string, meta: AuditMeta) {
      await mayConfigure(actor);
      const group = isUuid(groupId) ? await db.group.findUnique({ where: { id: groupId }, select: { id: true, name: true } }) : null;
      if (!group) throw notFoundError('Group');
      const user = isUuid(userId) ? await db.user.findUnique({ where: { id: userId }, select: { id: true, username: true } }) : null;
      if (!user) throw invalid('Unknown user.', [{ field: 'body.userId', message: 'No user with this id.' }]);
      return db.$transaction(async (tx) => {
        const { count } = await tx.groupMember.createMany({ data: { groupId: group.id, userId: user.id }, skipDuplicates: true });
        if (count > 0) {
          const member = { model: 'group_member' as const, id: `${group.id}:${user.id}`, name: `${group.name}: ${user.username}` };
          await writeConfigurationEvent(tx, 'created', member, fieldDiff(null, { group: group.name, user: user.username }), actor, meta);
        }
        return toGroup(await tx.group.findUniqueOrThrow({ where: { id: group.id }, include: groupInclude }));
      });
    },

    async listPolicies(actor: Actor, page: PageRequest) {
      await mayConfigure(actor);
      const { where, orderBy } = newestFirst(page.cursor);
      const rows = await db.eventMatcherPolicy.findMany({ where, orderBy, take: page.limit + 1 });
      return newestFirstPage(rows, page.limit, toPolicy);
    },

    /** `action` is one of the declared event actions (the route's schema checks it against domain/events.ts). */
    async createPolicy(actor: ConfigurationActor, request: { name: string; action?: string; clientIp?: string }, meta: AuditMeta) {
      await mayConfigure(actor);
      const fields = { name: request.name, action: request.action ?? null, clientIp: request.clientIp ?? null };
      return uniqueName(
        'policy',
        db.$transaction(async (tx) => {
          const created = await tx.eventMatcherPolicy.create({ data: fields });
          await writeConfigurationEvent(tx, 'created', { model: 'event_matcher_policy', id: created.id, name: created.name }, fieldDiff(null, fields), actor, meta);
          return toPolicy(created);
        }),
      );
    },

    async listTransports(actor: Actor, page: PageRequest) {
      await mayConfigure(actor);
      const { where, orderBy } = newestFirst(page.cursor);
      const rows = await db.notificationTransport.findMany({ where, orderBy, take: page.limit + 1 });
      return newestFirstPage(rows, page.limit, toTransport);
    },

    /** A webhook URL that names an address the outbound policy refuses is refused now, not at the first lockdown. */
    async createTransport(actor: ConfigurationActor, request: TransportRequest, meta: AuditMeta) {
      await mayConfigure(actor);
      if (request.mode === 'webhook' && refusedAddressLiteral(request.webhookUrl, policy)) {
        throw invalid('The webhook URL names an address notifications may not be sent to.', [{ field: 'body.webhookUrl', message: 'address not allowed (OUTBOUND_ALLOWED_DESTINATIONS)' }], 'address_not_allowed');
      }
      const fields: { name: string; mode: NotificationMode; webhookUrl: string | null; webhookSecret: string | null; emailTo: string | null } = {
        name: request.name,
        mode: request.mode,
        webhookUrl: request.mode === 'webhook' ? request.webhookUrl : null,
        webhookSecret: request.mode === 'webhook' ? (request.webhookSecret ?? null) : null,
        emailTo: request.mode === 'email' ? (request.email?.to ?? null) : null,
      };
      return uniqueName(
        'transport',
        db.$transaction(async (tx) => {
          const transport = await tx.notificationTransport.create({ data: fields });
          const diff = fieldDiff(null, fields, ['webhookSecret']);
          await writeConfigurationEvent(tx, 'created', { model: 'notification_transport', id: transport.id, name: transport.name }, diff, actor, meta);
          return toTransport(transport);
        }),
      );
    },

    async listRules(actor: Actor, page: PageRequest) {
      await mayConfigure(actor);
      const { where, orderBy } = newestFirst(page.cursor);
      const rows = await db.notificationRule.findMany({ where, orderBy, take: page.limit + 1, include: ruleInclude });
      return newestFirstPage(rows, page.limit, toRule);
    },

    async createRule(actor: ConfigurationActor, request: RuleRequest, meta: AuditMeta) {
      await mayConfigure(actor);
      const transportIds = [...new Set(request.transportIds)];
      const policyIds = [...new Set(request.policyIds)];
      const groupId = request.destinationGroupId ?? null;
      const [groups, transports, policies] = await Promise.all([
        groupId && isUuid(groupId) ? db.group.findMany({ where: { id: groupId }, select: { id: true } }) : [],
        db.notificationTransport.findMany({ where: { id: { in: transportIds.filter(isUuid) } }, select: { id: true } }),
        db.eventMatcherPolicy.findMany({ where: { id: { in: policyIds.filter(isUuid) } }, select: { id: true } }),
      ]);
      const problems = [
        ...(groupId !== null && groups.length === 0 ? [{ field: 'body.destinationGroupId', message: 'No group with this id.' }] : []),
        ...unknownIds('body.transportIds', request.transportIds, transports, 'transport'),
        ...unknownIds('body.policyIds', request.policyIds, policies, 'policy'),
      ];
      if (problems.length > 0) throw invalid(`Unknown ids: ${problems.map((problem) => problem.field).join(', ')}.`, problems);
      return uniqueName(
        'rule',
        db.$transaction(async (tx) => {
          const rule = await tx.notificationRule.create({
            data: {
              name: request.name,
              severity: request.severity,
              alertPer: request.alertPer ?? 'lockdown',
              destinationGroupId: groupId,
              transports: { connect: transportIds.map((id) => ({ id })) },
              policies: { connect: policyIds.map((id) => ({ id })) },
            },
            include: ruleInclude,
          });
          const after = toRule(rule);
          const diff = fieldDiff(null, {
            name: after.name,
            severity: after.severity,
            alertPer: after.alertPer,
            destinationGroupId: after.destinationGroupId,
            transportIds: after.transportIds,
            policyIds: after.policyIds,
          });
          await writeConfigurationEvent(tx, 'created', { model: 'notification_rule', id: rule.id, name: rule.name }, diff, actor, meta);
          return after;
        }),
      );
    },
  };
}

export type Alerting = ReturnType<typeof createAlerting>;
