import { ApplicationFailure, Context } from '@temporalio/activity';
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Prisma } from '../generated/prisma/client';
import {
  isPerUserLockdownAction,
  notificationPayload,
  notificationText,
  ruleDelivers,
  summaryStandsFor,
  type DeliverableEvent,
  type MatchableEvent,
  type NotificationPayload,
} from '../domain/notifications';
import { publicUrl, type Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { outboundPolicy } from '../lib/outbound-address';
import { outboundFailureText, sendOutbound } from '../lib/outbound-http';
import type { NotificationPlan } from '../domain/notifications';
import type { NotificationMode } from '../domain/notifications';

/** A webhook transport has one recipient, its endpoint; the URL is read when sending, so a corrected URL applies to the next attempt. */
const WEBHOOK_RECIPIENT = 'webhook';

/** Policies that may match events of these actions (a database pre-filter; `ruleDelivers` decides). */
const policyMayMatch = (actions: readonly string[]) => ({ OR: [{ action: null }, { action: { in: [...actions] } }] });

/** An event as it is stored, with what decides its alerts: its lockdown, and a summary's context. */
export interface StoredEvent extends MatchableEvent {
  lockdownId?: string | null;
  context?: unknown;
}

/** The event as the rules see it (domain/notifications.ts `ruleDelivers`): is it summarized by its lockdown, what a summary stands for. */
async function deliverable(db: Db, event: StoredEvent): Promise<DeliverableEvent> {
  const summarized =
    isPerUserLockdownAction(event.action) && !!event.lockdownId
      ? ((await db.lockdown.findUnique({ where: { id: event.lockdownId }, select: { summaryAlerts: true } }))?.summaryAlerts ?? false)
      : false;
  return { action: event.action, clientIp: event.clientIp, summarized, standsFor: summaryStandsFor(event.action, event.context) };
}

/** Whether any notification rule sends the event, so that events which notify no one cost no workflow. */
export async function anyRuleTriggered(db: Db, event: StoredEvent): Promise<boolean> {
  const matchable = await deliverable(db, event);
  const rules = await db.notificationRule.findMany({
    where: { policies: { some: policyMayMatch([event.action, ...matchable.standsFor]) } },
    select: { alertPer: true, policies: { select: { action: true, clientIp: true } } },
  });
  return rules.some((rule) => ruleDelivers(rule, matchable));
}

/** Connection, greeting and socket timeouts of the SMTP client. */
const SMTP_TIMEOUT_MS = 30_000;

type DeliveryWithContext = Prisma.NotificationDeliveryGetPayload<{ include: { event: true; rule: true; transport: true } }>;

/**
 * Notification delivery. Each delivery row (event, transport, recipient) is sent at most
 * once: an activity first checks the row, and marks it delivered after sending. Failed
 * attempts record their error on the row, so admins see why a notification is late.
 */
export function createNotificationActivities(db: Db, config: Config, logger: Logger) {
  let mailer: ReturnType<typeof nodemailer.createTransport> | undefined;
  const smtp = () =>
    (mailer ??= nodemailer.createTransport({
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      secure: config.SMTP_SECURE,
      auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } : undefined,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    }));
  const messageIdDomain = /@([^>\s]+)/.exec(config.SMTP_FROM)?.[1] ?? 'localhost';
  const policy = outboundPolicy(config.OUTBOUND_ALLOWED_DESTINATIONS);

  /** Runs one attempt of a delivery: skip if settled, send, mark delivered; on failure record the error. */
  async function attemptDelivery(deliveryId: string, send: (delivery: DeliveryWithContext, payload: NotificationPayload) => Promise<void>) {
    const delivery = await db.notificationDelivery.findUniqueOrThrow({
      where: { id: deliveryId },
      include: { event: true, rule: true, transport: true },
    });
    if (delivery.status !== 'pending') return;
    const attempt = Context.current().info.attempt;
    const ids = { deliveryId, eventId: delivery.eventId, mode: delivery.transport.mode, attempt };
    try {
      await send(delivery, notificationPayload(delivery.event, delivery.rule, publicUrl(config)));
    } catch (err) {
      const lastError = describeError(err);
      await db.notificationDelivery.update({ where: { id: deliveryId }, data: { attempts: attempt, lastError } });
      logger.warn(ids, 'notification delivery attempt failed');
      // Retried with the workflow's bounded backoff, unless the sender said it never will work.
      throw err instanceof ApplicationFailure ? err : ApplicationFailure.retryable(lastError, 'NotificationDeliveryFailed');
    }
    await db.notificationDelivery.update({ where: { id: deliveryId }, data: { status: 'delivered', attempts: attempt, deliveredAt: new Date() } });
    logger.info(ids, 'notification delivered');
  }

  return {
    /**
     * Evaluates the notification rules against an event and records one delivery per
     * transport and recipient (idempotent: the unique key skips rows already planned).
     * When rules share a transport and recipient, the first rule created wins. A rule that
     * alerts per lockdown takes a summarized lockdown's summary, not its per-user events.
     */
    async planNotifications({ eventId }: { eventId: string }): Promise<NotificationPlan> {
      const event = await db.event.findUniqueOrThrow({ where: { id: eventId } });
      const matchable = await deliverable(db, event);
      const rules = await db.notificationRule.findMany({
        where: { policies: { some: policyMayMatch([event.action, ...matchable.standsFor]) } },
        include: {
          policies: true,
          transports: true,
          destinationGroup: { include: { members: { where: { user: { isActive: true } }, include: { user: { select: { id: true, email: true } } } } } },
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      const triggered = rules.filter((rule) => ruleDelivers(rule, matchable));
      const rows = triggered.flatMap((rule) => {
        const members = rule.destinationGroup?.members.map((member) => member.user) ?? [];
        return rule.transports.flatMap((transport) =>
          recipientsOf(transport, members).map((recipient) => ({ eventId, ruleId: rule.id, transportId: transport.id, recipient })),
        );
      });
      if (rows.length > 0) await db.notificationDelivery.createMany({ data: rows, skipDuplicates: true });
      const pending = await db.notificationDelivery.findMany({
        where: { eventId, status: 'pending' },
        select: { id: true, transport: { select: { mode: true } } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      logger.info({ eventId, rules: triggered.map((rule) => rule.id), deliveries: pending.length }, 'notifications planned');
      return {
        deliveries: pending.map((delivery) => ({ id: delivery.id, mode: delivery.transport.mode })),
        retry: {
          initialIntervalMs: config.NOTIFICATION_RETRY_INITIAL_MS,
          maximumIntervalMs: config.NOTIFICATION_RETRY_MAX_INTERVAL_MS,
          maximumAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
        },
      };
    },

    /** Puts the notification in the recipient's inbox (once: unique per event, rule and user). */
    async deliverLocal({ deliveryId }: { deliveryId: string }): Promise<void> {
      await attemptDelivery(deliveryId, async (delivery, payload) => {
        const { title, body } = notificationText(payload);
        await db.notification.createMany({
          skipDuplicates: true,
          data: { userId: delivery.recipient, eventId: delivery.eventId, ruleId: delivery.ruleId, severity: delivery.rule.severity, title, body },
        });
      });
    },

    /**
     * POSTs the JSON payload. `X-Lockdown-Delivery` lets receivers drop the rare repeat
     * (a worker crash between sending and recording); `X-Lockdown-Signature` is the
     * HMAC-SHA256 of the raw body with the transport's secret.
     */
    async deliverWebhook({ deliveryId }: { deliveryId: string }): Promise<void> {
      await attemptDelivery(deliveryId, async (delivery, payload) => {
        const { webhookUrl, webhookSecret } = delivery.transport;
        if (!webhookUrl) throw ApplicationFailure.nonRetryable('The webhook transport has no URL.', 'WebhookNotConfigured');
        const body = JSON.stringify(payload);
        const headers: Record<string, string> = {
          'Content-Type': 'application/json',
          'User-Agent': 'account-lockdown-notifications',
          'X-Lockdown-Delivery': delivery.id,
        };
        if (webhookSecret) headers['X-Lockdown-Signature'] = webhookSignature(webhookSecret, body);
        let status: number;
        try {
          ({ status } = await sendOutbound(webhookUrl, { method: 'POST', headers, body, timeoutMs: config.NOTIFICATION_WEBHOOK_TIMEOUT_MS, policy }));
        } catch (err) {
          // The fixed vocabulary only: never what the socket said about the peer (so no `cause`: it would reach the history).
          // eslint-disable-next-line preserve-caught-error
          throw new Error(`The webhook could not be reached (${outboundFailureText(err)}).`);
        }
        if (status < 200 || status >= 300) throw new Error(`The webhook answered HTTP ${status}.`);
      });
    },

    /** Sends one email through the configured SMTP server, with a Message-ID derived from the delivery. */
    async sendEmail({ deliveryId }: { deliveryId: string }): Promise<void> {
      await attemptDelivery(deliveryId, async (delivery, payload) => {
        if (!config.SMTP_HOST) {
          throw ApplicationFailure.nonRetryable('Email is not configured: set SMTP_HOST (and SMTP_PORT, SMTP_FROM) for the worker.', 'SmtpNotConfigured');
        }
        const { title, body } = notificationText(payload);
        try {
          await smtp().sendMail({
            from: config.SMTP_FROM,
            to: delivery.recipient,
            subject: title,
            text: body,
            messageId: `<${delivery.id}@${messageIdDomain}>`,
            headers: { 'X-Lockdown-Delivery': delivery.id },
          });
        } catch (err) {
          // 5xx: the server refuses for good (unknown mailbox, authentication); retrying will not help.
          const { responseCode } = err as { responseCode?: number };
          if (typeof responseCode === 'number' && responseCode >= 500) throw ApplicationFailure.nonRetryable(describeError(err), 'EmailRejected');
          throw err;
        }
      });
    },

    /** After the last attempt: the delivery is given up, with the error admins will see. */
    async markDeliveryFailed({ deliveryId, error }: { deliveryId: string; error: string }): Promise<void> {
      await db.notificationDelivery.updateMany({ where: { id: deliveryId, status: 'pending' }, data: { status: 'failed', lastError: error } });
      logger.warn({ deliveryId }, 'notification delivery failed for good');
    },
  };
}

/** local: each member's inbox; email: the transport's address, else each member's; webhook: its endpoint. */
function recipientsOf(transport: { mode: NotificationMode; emailTo: string | null }, members: { id: string; email: string }[]): string[] {
  switch (transport.mode) {
    case 'local':
      return members.map((member) => member.id);
    case 'email':
      return transport.emailTo ? [transport.emailTo] : members.map((member) => member.email).filter((email) => email !== '');
    case 'webhook':
      return [WEBHOOK_RECIPIENT];
  }
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, as receivers verify it. */
function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The error and its causes in one line (fetch puts the network error in `cause`). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = err; current && parts.length < 4; current = (current as { cause?: unknown }).cause) {
    parts.push(current instanceof Error ? current.message : String(current));
    if (typeof current !== 'object') break;
  }
  return parts.join(': ').slice(0, 1000);
}
