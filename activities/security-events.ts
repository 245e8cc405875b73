import { ApplicationFailure, Context } from '@temporalio/activity';
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { affectedUserId, caepEventsOf, securityEventClaims, subjectIdFrom, subjectIdOf, type CaepEventName } from '../domain/security-events';
import { securityEventIssuer, type Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { outboundPolicy } from '../lib/outbound-address';
import { outboundFailureText, sendOutbound } from '../lib/outbound-http';
import { loadPayloadKeys, type PayloadKeys } from '../lib/payload-keys';
import { openSecret, sealedFor } from '../lib/secret-box';
import { SsfSigningKeys } from '../lib/ssf-signing-keys';
import { describeError } from './notifications';
import type { SecurityEventPlan } from '../domain/security-events';

/** The error codes RFC 8935 § 2.3 and its registry define: the only part of a 400 body that is recorded. */
const PUSH_ERROR_CODES = ['invalid_request', 'invalid_key', 'invalid_issuer', 'invalid_audience', 'authentication_failed', 'access_denied'];

/** An RFC 8935 error body `{ "err": "invalid_audience", … }`: its code when it is a registered one, never the receiver's text. */
function pushErrorOf(body: string): string {
  try {
    const { err } = JSON.parse(body) as { err?: unknown };
    return typeof err === 'string' && PUSH_ERROR_CODES.includes(err) ? err : 'no RFC 8935 error code';
  } catch {
    return 'no RFC 8935 error code';
  }
}

/**
 * Tells downstream applications of a lockdown: CAEP Security Event Tokens pushed to the
 * configured receivers (RFC 8935). Planning records one delivery row per (audit event,
 * receiver, CAEP event) with its `jti` and subject; delivering signs the SET and POSTs it,
 * at most once per row, with the same `jti` on every attempt.
 */
export function createSecurityEventActivities(db: Db, config: Config, logger: Logger) {
  let payloadKeys: PayloadKeys | undefined;
  const keys = () => (payloadKeys ??= loadPayloadKeys(config));
  const signingKeys = new SsfSigningKeys(db, keys);
  const issuer = securityEventIssuer(config);
  const policy = outboundPolicy(config.OUTBOUND_ALLOWED_DESTINATIONS);

  return {
    /**
     * Records the SETs the user's audit event calls for, one per enabled receiver and CAEP
     * event it subscribes to (idempotent: the unique key skips rows already planned, keeping
     * their `jti`). Runs before the lockdown reports back, while the account still exists
     * (DELETE /users/:id removes it then), so an email subject can still be read.
     * Answers how many are pending: none means no delivery workflow is needed.
     */
    async planSecurityEvents({ eventId }: { eventId: string }): Promise<number> {
      const event = await db.event.findUniqueOrThrow({ where: { id: eventId }, select: { id: true, action: true, context: true, createdAt: true } });
      const eventNames = caepEventsOf(event);
      const userId = affectedUserId(event);
      if (eventNames.length === 0 || userId === null) return 0;
      const receivers = await db.ssfReceiver.findMany({ where: { enabled: true, events: { hasSome: eventNames } } });
      if (receivers.length === 0) return 0;
      const user = (await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true } })) ?? { id: userId, email: '' };
      const rows = receivers.flatMap((receiver) =>
        eventNames
          .filter((eventName) => receiver.events.includes(eventName))
          .map((eventType) => {
            const subject = subjectIdOf(receiver.subjectFormat, user);
            const base = { eventId, receiverId: receiver.id, eventType, jti: randomUUID() };
            return subject
              ? { ...base, subject }
              : // Sending another identifier than the receiver asked for would mislead it: recorded as failed, for admins to see.
                { ...base, subject: {}, status: 'failed' as const, lastError: 'The account has no email address, and this receiver identifies subjects by email.' };
          }),
      );
      await db.securityEventDelivery.createMany({ data: rows, skipDuplicates: true });
      const pending = await db.securityEventDelivery.count({ where: { eventId, status: 'pending' } });
      logger.info({ eventId, receivers: receivers.length, pending }, 'security events planned');
      return pending;
    },

    /** The event's SET deliveries still pending, and the retry policy they are delivered with. */
    async pendingSecurityEvents({ eventId }: { eventId: string }): Promise<SecurityEventPlan> {
      const pending = await db.securityEventDelivery.findMany({ where: { eventId, status: 'pending' }, select: { id: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      return {
        deliveryIds: pending.map((delivery) => delivery.id),
        retry: {
          initialIntervalMs: config.NOTIFICATION_RETRY_INITIAL_MS,
          maximumIntervalMs: config.NOTIFICATION_RETRY_MAX_INTERVAL_MS,
          maximumAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
        },
      };
    },

    /**
     * Signs the delivery's SET and POSTs it as `application/secevent+jwt`. Any 2xx is
     * success (RFC 8935 says 202). A 400 is the receiver refusing this SET (its RFC 8935
     * `err` is recorded): permanent. Anything else — 5xx, a timeout, a connection refused,
     * 401/403 while the header is being fixed — is retried with the workflow's backoff.
     * The receiver's URL, audience and header are read at each attempt, so a correction
     * applies to the next one.
     */
    async deliverSecurityEvent({ deliveryId }: { deliveryId: string }): Promise<void> {
      const delivery = await db.securityEventDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { receiver: true, event: true } });
      if (delivery.status !== 'pending') return;
      const { receiver } = delivery;
      const attempt = Context.current().info.attempt;
      const ids = { deliveryId, eventId: delivery.eventId, receiverId: receiver.id, eventType: delivery.eventType, attempt };
      try {
        if (!receiver.enabled) throw ApplicationFailure.nonRetryable('The receiver was disabled before the SET could be delivered.', 'SsfReceiverDisabled');
        const { kid, privateKey } = await signingKeys.signingKey();
        const claims = securityEventClaims({
          issuer,
          audience: receiver.audience,
          jti: delivery.jti,
          issuedAt: delivery.createdAt,
          subject: subjectIdFrom(delivery.subject),
          eventName: delivery.eventType as CaepEventName,
          event: delivery.event,
        });
        const set = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt', kid }).sign(privateKey);
        const headers: Record<string, string> = {
          'Content-Type': 'application/secevent+jwt',
          Accept: 'application/json',
          'User-Agent': 'account-lockdown-ssf',
        };
        if (receiver.authorizationHeaderSealed) headers.Authorization = openSecret(keys(), sealedFor.receiverAuthorization(receiver.id), receiver.authorizationHeaderSealed);
        let response: { status: number; body: string };
        try {
          response = await sendOutbound(receiver.endpointUrl, { method: 'POST', headers, body: set, timeoutMs: config.NOTIFICATION_WEBHOOK_TIMEOUT_MS, policy, maxBodyBytes: 4_096 });
        } catch (err) {
          // The fixed vocabulary only: never what the socket said about the peer (so no `cause`: it would reach the history).
          // eslint-disable-next-line preserve-caught-error
          throw new Error(`The receiver could not be reached (${outboundFailureText(err)}).`);
        }
        if (response.status === 400) throw ApplicationFailure.nonRetryable(`The receiver refused the SET (${pushErrorOf(response.body)}).`, 'SetRejected');
        if (response.status < 200 || response.status >= 300) throw new Error(`The receiver answered HTTP ${response.status}.`);
      } catch (err) {
        const lastError = err instanceof ApplicationFailure ? err.message : describeError(err);
        await db.securityEventDelivery.update({ where: { id: deliveryId }, data: { attempts: attempt, lastError } });
        logger.warn({ ...ids, error: lastError }, 'security event delivery attempt failed');
        throw err instanceof ApplicationFailure ? err : ApplicationFailure.retryable(lastError, 'SecurityEventDeliveryFailed');
      }
      await db.securityEventDelivery.update({ where: { id: deliveryId }, data: { status: 'delivered', attempts: attempt, deliveredAt: new Date() } });
      logger.info(ids, 'security event delivered');
    },

    /** After the last attempt, or a permanent refusal: the delivery is given up, with the error admins will see. */
    async markSecurityEventFailed({ deliveryId, error }: { deliveryId: string; error: string }): Promise<void> {
      await db.securityEventDelivery.updateMany({ where: { id: deliveryId, status: 'pending' }, data: { status: 'failed', lastError: error } });
      logger.warn({ deliveryId }, 'security event delivery failed for good');
    },
  };
}
