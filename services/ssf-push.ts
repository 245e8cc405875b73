import { createLocalJWKSet, decodeJwt, errors as jose, jwtVerify } from 'jose';
import { isProtectedAccount } from '../domain/accounts';
import { DomainError, unavailableError } from '../domain/errors';
import type { SharedSignalTrigger } from '../domain/lockdown-trigger';
import {
  claimProblem,
  eventNameOf,
  parseSubject,
  SECURITY_EVENT_RECEIVED,
  SECURITY_EVENT_REJECTED,
  signalLockdownReason,
  storable,
  strongestAction,
  subjectClaimOf,
  VERIFICATION_EVENT_TYPE,
  type PushErrorCode,
  type ReceivedEventName,
  type ReceivedSubject,
  type SignalEventActions,
  type SignalOutcome,
} from '../domain/signals';
import type { Config } from '../lib/config';
import { digestsEqual, hashKey } from '../lib/credentials';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { writeAuditEvent, type AuditMeta } from './audit-log';
import type { EventNotifications } from './event-notifications';
import type { LockdownService } from './lockdowns';
import { TransmitterKeysUnavailable, type TransmitterKeys } from './ssf-transmitter-keys';
import { isUniqueViolation } from './unique-violation';

/**
 * Receiving a Security Event Token pushed by a trusted transmitter (RFC 8935), in this order:
 *
 * 1. the push's bearer token (the transmitter's, compared by digest in constant time) — else
 *    `authentication_failed`, logged but not audited (nobody is known to blame);
 * 2. from here on every refusal is a 400 with an RFC 8935 error code and a
 *    `security_event_rejected` event, actor: the transmitter. The transmitter is enabled
 *    (`access_denied`); the body is a compact JWS (`invalid_request`); its signature verifies
 *    against the transmitter's keys with an asymmetric algorithm (`invalid_key`) and its header
 *    says `typ: secevent+jwt` (`invalid_request`); `iss` (`invalid_issuer`), `aud`
 *    (`invalid_audience`), `jti`, `iat` within SSF_SET_MAX_AGE_SECONDS and `events`
 *    (`invalid_request`); the `jti` was never received from it (a replay: `invalid_request`);
 *    every event is one it is trusted with (`access_denied`); the subject maps to one local
 *    account it may speak for (`access_denied` — unknown, ambiguous or out of its scope alike);
 * 3. then what the events are configured to do: nothing, an alert, or a lockdown requested
 *    through the ordinary path by the transmitter's account — with the approval rules — and
 *    one lockdown per transaction (`txn`) and subject, so the two SETs of one incident start
 *    one; an account already inactive is not locked again. The `jti` and a
 *    `security_event_received` event are recorded together, then 202.
 *
 * If this process dies after requesting the lockdown but before recording the `jti`, the
 * transmitter's retry joins the same lockdown (its Idempotency-Key): a SET acts at most once.
 */
export type PushAnswer = { status: 202 } | { status: 400; body: { err: PushErrorCode; description: string } };

/** The asymmetric signature algorithms a SET may use: never `none`, never a shared secret. */
const SET_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Clock skew allowed for a SET issued "in the future". */
const FUTURE_SKEW_SECONDS = 300;

const refusal = (err: PushErrorCode, description: string): PushAnswer => ({ status: 400, body: { err, description } });

type Transmitter = NonNullable<Awaited<ReturnType<typeof findTransmitter>>>;

function findTransmitter(db: Db, id: string) {
  return db.ssfTransmitter.findUnique({ where: { id }, include: { account: { select: { id: true, username: true, isSuperuser: true } } } });
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}

/** Why a SET's signature or header was refused, as an RFC 8935 code. */
function verificationRefusal(err: unknown): { err: PushErrorCode; description: string } {
  if (err instanceof jose.JWKSNoMatchingKey || err instanceof jose.JWKSMultipleMatchingKeys) return { err: 'invalid_key', description: 'No key of this transmitter matches the SET’s signature.' };
  if (err instanceof jose.JWSSignatureVerificationFailed) return { err: 'invalid_key', description: 'The SET’s signature does not verify with this transmitter’s keys.' };
  if (err instanceof jose.JOSEAlgNotAllowed || err instanceof jose.JOSENotSupported) return { err: 'invalid_key', description: 'The SET is not signed with an accepted asymmetric algorithm.' };
  if (err instanceof jose.JWTClaimValidationFailed && err.claim === 'typ') return { err: 'invalid_request', description: 'The SET’s header must say typ: secevent+jwt.' };
  if (err instanceof jose.JWTExpired) return { err: 'invalid_request', description: 'The SET has expired (exp).' };
  return { err: 'invalid_request', description: 'The body is not a valid signed Security Event Token.' };
}

function claimedJti(token: string): string | null {
  try {
    return storable(decodeJwt(token).jti);
  } catch {
    return null;
  }
}

export function createSsfPush(
  { db, config, logger }: { db: Db; config: Config; logger: Logger },
  keys: TransmitterKeys,
  lockdowns: Pick<LockdownService, 'create'>,
  notifyOf: EventNotifications,
) {
  async function verifiedClaims(transmitter: Transmitter, token: string): Promise<Record<string, unknown>> {
    const verify = async (refresh: boolean) =>
      (await jwtVerify(token, createLocalJWKSet(await keys.keySet(transmitter, { refresh })), { algorithms: SET_ALGORITHMS, typ: 'secevent+jwt' })).payload;
    try {
      return await verify(false);
    } catch (err) {
      // A key the cached set does not know: the transmitter may have rotated.
      if (err instanceof jose.JWKSNoMatchingKey && keys.mayRefresh(transmitter)) return verify(true);
      throw err;
    }
  }

  /** The local account the subject names, if this transmitter may speak for it; null otherwise (unknown, ambiguous, protected, out of scope). */
  async function subjectAccount(transmitter: Transmitter, subject: ReceivedSubject) {
    const select = { id: true, username: true, type: true, isActive: true } as const;
    let candidates: { id: string; username: string; type: string; isActive: boolean }[];
    if (subject.format === 'email') {
      candidates = await db.user.findMany({ where: { email: { equals: subject.email, mode: 'insensitive' } }, select, take: 2 });
    } else {
      if (subject.format === 'iss_sub' && subject.iss !== transmitter.issuer) return null;
      const username = subject.format === 'opaque' ? subject.id : subject.sub;
      candidates = await db.user.findMany({ where: { username }, select, take: 2 });
    }
    const [user] = candidates;
    if (candidates.length !== 1 || isProtectedAccount(user)) return null;
    if (transmitter.allUsers) return user;
    if (!transmitter.groupId) return null;
    const member = await db.groupMember.findUnique({ where: { groupId_userId: { groupId: transmitter.groupId, userId: user.id } }, select: { userId: true } });
    return member ? user : null;
  }

  /**
   * The lockdown the SET asks for, requested as the transmitter's account. Its Idempotency-Key
   * names the transaction (or the SET) and the subject: the other SET of the same transaction,
   * and a retry after a crash, join it. Refused by the rules (a flow that needs a superuser, no
   * lockdown flow, …): the SET is still accepted — the transmitter did nothing wrong — and the
   * refusal is recorded and alerted. Temporal unreachable with nothing recorded: 503, so the
   * transmitter retries.
   */
  async function requestLockdown(transmitter: Transmitter, user: { id: string }, request: { reason: string; trigger: SharedSignalTrigger; clientIp: string | null }) {
    const account = transmitter.account;
    if (!account) return { outcome: 'lockdown_refused' as const, lockdownId: null, error: `The transmitter's service account ssf:${transmitter.name} was deleted.` };
    const idempotencyKey = `ssf:${request.trigger.txn ?? request.trigger.jti}:${user.id}`.slice(0, 500);
    try {
      const { view } = await lockdowns.create(account, { user: user.id, reason: request.reason }, { idempotencyKey, clientIp: request.clientIp, trigger: request.trigger });
      return { outcome: 'lockdown' as const, lockdownId: view.id, error: null };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const recorded = await db.lockdown.findUnique({ where: { actorId_idempotencyKey: { actorId: account.id, idempotencyKey } }, select: { id: true } });
      if (recorded) return { outcome: 'lockdown' as const, lockdownId: recorded.id, error: null };
      if (err.kind === 'unavailable') throw err;
      return { outcome: 'lockdown_refused' as const, lockdownId: null, error: err.message };
    }
  }

  return {
    async receive(transmitterId: string, authorization: string | undefined, body: unknown, meta: AuditMeta): Promise<PushAnswer> {
      const transmitter = isUuid(transmitterId) ? await findTransmitter(db, transmitterId) : null;
      const token = bearerToken(authorization);
      // Digests compared in constant time, whether or not the transmitter exists.
      const authentic = digestsEqual(hashKey(token ?? ''), transmitter?.pushTokenHash ?? hashKey('\0no transmitter'));
      if (!transmitter || !token || !authentic) {
        logger.warn({ transmitterId: isUuid(transmitterId) ? transmitterId : null, clientIp: meta.clientIp }, 'SET push refused: not authenticated');
        return refusal('authentication_failed', 'The push is not authenticated: send the bearer token this receiver issued for the transmitter.');
      }
      const actor = transmitter.account ? { id: transmitter.account.id, username: transmitter.account.username } : null;
      const about = { transmitter: transmitter.name, transmitter_id: transmitter.id, issuer: transmitter.issuer };
      const reject = async (err: PushErrorCode, description: string, details: Record<string, unknown> = {}): Promise<PushAnswer> => {
        await writeAuditEvent(db, SECURITY_EVENT_REJECTED, actor, meta, { ...about, err, description, ...details });
        logger.warn({ transmitterId: transmitter.id, err }, 'SET refused');
        return refusal(err, description);
      };

      if (!transmitter.enabled) return reject('access_denied', 'This transmitter is disabled here.');
      const compact = typeof body === 'string' ? body.trim() : '';
      if (!COMPACT_JWS.test(compact)) return reject('invalid_request', 'The body is not a Security Event Token (a compact JWS sent as application/secevent+jwt).');
      let claims: Record<string, unknown>;
      try {
        claims = await verifiedClaims(transmitter, compact);
      } catch (err) {
        if (err instanceof TransmitterKeysUnavailable) {
          logger.warn({ transmitterId: transmitter.id, error: err.message }, 'SET not verified: the transmitter’s keys are unavailable');
          throw unavailableError(`${err.message} The SET was not processed; push it again later.`, 'keys_unavailable');
        }
        const refused = verificationRefusal(err);
        // The jti it claims, for the auditor to find it by: claimed, not verified.
        return reject(refused.err, refused.description, { jti: claimedJti(compact), verified: false });
      }
      const problem = claimProblem(claims, {
        issuer: transmitter.issuer,
        audience: transmitter.audience,
        nowSeconds: Math.floor(Date.now() / 1000),
        maxAgeSeconds: config.SSF_SET_MAX_AGE_SECONDS,
        futureSkewSeconds: FUTURE_SKEW_SECONDS,
      });
      if (problem) return reject(problem.err, problem.description, { jti: storable(claims.jti) });

      const jti = claims.jti as string;
      const txn = typeof claims.txn === 'string' ? storable(claims.txn) : null;
      const replay = () => reject('invalid_request', 'This SET was received before (the same jti): a replay starts nothing.', { jti, replay: true });
      if (await db.ssfReceivedSet.findUnique({ where: { transmitterId_jti: { transmitterId: transmitter.id, jti } }, select: { jti: true } })) return replay();

      const events = claims.events as Record<string, unknown>;
      const uris = Object.keys(events);
      const received = { ...about, jti, txn, events: uris.map((uri) => storable(uri, 500)) };
      /** Records the jti with its event, in one transaction; a concurrent copy of the SET loses here and is answered as a replay. */
      const accept = async (outcome: SignalOutcome, details: Record<string, unknown>, lockdownId: string | null = null): Promise<PushAnswer> => {
        try {
          const event = await db.$transaction(async (tx) => {
            const written = await writeAuditEvent(tx, SECURITY_EVENT_RECEIVED, actor, meta, { ...received, outcome, ...details, lockdown_id: lockdownId }, lockdownId ?? undefined);
            await tx.ssfReceivedSet.create({ data: { transmitterId: transmitter.id, jti, eventId: written.id, lockdownId } });
            return written;
          });
          logger.info({ transmitterId: transmitter.id, outcome, lockdownId }, 'SET received');
          if (outcome !== 'none' && outcome !== 'verified') void notifyOf(event.id);
          return { status: 202 };
        } catch (err) {
          if (isUniqueViolation(err)) return replay();
          throw err;
        }
      };

      if (uris.length === 1 && uris[0] === VERIFICATION_EVENT_TYPE) return accept('verified', {});
      const trusted = transmitter.events as SignalEventActions;
      const names = uris.map(eventNameOf);
      const untrusted = uris.find((_, index) => !names[index] || trusted[names[index]] === undefined);
      if (untrusted !== undefined) return reject('access_denied', 'This transmitter is not trusted with this event type here.', { jti, event: storable(untrusted) });
      const eventNames = names as ReceivedEventName[];
      const action = strongestAction(eventNames.map((name) => trusted[name]!));

      const subject = parseSubject(subjectClaimOf(claims));
      if ('problem' in subject) return reject('invalid_request', subject.problem, { jti });
      const user = await subjectAccount(transmitter, subject);
      if (!user) return reject('access_denied', 'The subject is not an account this transmitter may speak for here.', { jti, subject_format: subject.format });
      const affected = { affected_user: user.username, affected_user_id: user.id, action };

      if (action !== 'lockdown') return accept(action, affected);
      if (!user.isActive) return accept('already_inactive', affected);
      const trigger: SharedSignalTrigger = { kind: 'shared_signal', transmitter: { id: transmitter.id, name: transmitter.name }, issuer: transmitter.issuer, events: uris, jti, txn };
      const reason = signalLockdownReason(transmitter.name, eventNames, uris.map((uri) => events[uri]));
      const { outcome, lockdownId, error } = await requestLockdown(transmitter, user, { reason, trigger, clientIp: meta.clientIp });
      return accept(outcome, { ...affected, reason, ...(error ? { error } : {}) }, lockdownId);
    },
  };
}

export type SsfPush = ReturnType<typeof createSsfPush>;
