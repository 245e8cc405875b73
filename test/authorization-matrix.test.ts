import { createApp } from '../api/app';
import { createLogger } from '../lib/logger';
import type { EventAction } from '../domain/events';
import { hashKey, hashPassword } from '../lib/credentials';
import { createBrand } from './support/flows';
import { addSession, addToken, adminSession, bearer, createUser, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';

/**
 * The authorization matrix: every operation the server has, called by each identity, must
 * answer the status in MATRIX — the table README.md § Security shows. A route without a
 * row fails the test, so a new route cannot ship without its decision written down.
 * Every expected status must also be documented for its operation in the OpenAPI document.
 */
const IDENTITIES = ['anonymous', 'plain', 'changeUserOne', 'changeUserGlobal', 'viewAudit', 'superuser', 'lockedSession', 'lockedToken'] as const;
type Identity = (typeof IDENTITIES)[number];

/** The statuses of one row, in IDENTITIES order. */
type Row = [number, number, number, number, number, number, number, number];

interface Fixtures {
  /** The user `changeUserOne` holds change_user on: the object of every per-user operation. */
  subject: string;
  host: string;
  finishedLockdown: string;
  awaitingLockdown: string;
  flow: string;
  superuserFlow: string;
  brand: string;
  group: string;
  superuserNotification: string;
  loginUsername: string;
}

interface Call {
  url: string;
  body?: object;
}

/** How to call each operation: the URL and body, made fresh per identity where a call changes or removes what it names. */
type Caller = (fx: Fixtures, who: Identity) => Promise<Call> | Call;

// anonymous, plain, change_user on subject, change_user global, view_audit, superuser, locked session, locked token
const MATRIX: Record<string, [Row, Caller]> = {
  'GET /healthz': [[200, 200, 200, 200, 200, 200, 200, 200], () => ({ url: '/healthz' })],
  'GET /readyz': [[200, 200, 200, 200, 200, 200, 200, 200], () => ({ url: '/readyz' })],
  'GET /metrics': [[200, 200, 200, 200, 200, 200, 200, 200], () => ({ url: '/metrics' })],
  'POST /api/v1/auth/login': [[200, 200, 200, 200, 200, 200, 200, 200], (fx) => ({ url: '/api/v1/auth/login', body: { username: fx.loginUsername, password: LOGIN_PASSWORD } })],
  'POST /api/v1/auth/recovery': [[400, 400, 400, 400, 400, 400, 400, 400], () => ({ url: '/api/v1/auth/recovery', body: { token: 'not-a-recovery-token', password: 'a-new-password' } })],
  'POST /api/v1/auth/logout': [[401, 204, 204, 204, 204, 204, 401, 401], () => ({ url: '/api/v1/auth/logout' })],
  'GET /api/v1/me': [[401, 200, 200, 200, 200, 200, 401, 401], () => ({ url: '/api/v1/me' })],
  // Only a cookie session has a CSRF token; every identity here calls with Bearer.
  'GET /api/v1/auth/csrf': [[401, 400, 400, 400, 400, 400, 401, 401], () => ({ url: '/api/v1/auth/csrf' })],
  'GET /api/v1/me/capabilities': [[401, 200, 200, 200, 200, 200, 401, 401], (fx) => ({ url: `/api/v1/me/capabilities?user=${fx.subject}` })],

  // The users one manages: a per-user holder lists the users it holds change_user on.
  'GET /api/v1/users': [[401, 403, 200, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/users?limit=2' })],
  'POST /api/v1/users': [[401, 403, 403, 201, 403, 201, 401, 401], () => ({ url: '/api/v1/users', body: { username: uniqueName() } })],
  'GET /api/v1/users/{id}': [[401, 403, 200, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/users/${fx.subject}` })],
  'GET /api/v1/users/{id}/sessions': [[401, 403, 200, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/users/${fx.subject}/sessions` })],
  'GET /api/v1/users/{id}/tokens': [[401, 403, 200, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/users/${fx.subject}/tokens` })],
  'PATCH /api/v1/users/{id}': [[401, 403, 200, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/users/${fx.subject}`, body: { name: uniqueName('subject') } })],
  // Ending a credential is containment: change_user on the owner; yours always.
  'DELETE /api/v1/users/{id}/sessions/{sessionId}': [[401, 403, 204, 204, 403, 204, 401, 401], async (fx) => ({ url: `/api/v1/users/${fx.subject}/sessions/${await sessionOf(fx.subject)}` })],
  // Deleting runs the user's lockdown first; each call gets a user of its own (change_user on the subject alone does not reach it).
  'DELETE /api/v1/users/{id}': [[401, 403, 403, 204, 403, 204, 401, 401], async () => ({ url: `/api/v1/users/${(await createUser(stack.db)).id}` })],
  'POST /api/v1/users/{id}/activate': [[401, 403, 200, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/users/${fx.subject}/activate` })],
  'POST /api/v1/users/{id}/set_password': [[401, 403, 204, 204, 403, 204, 401, 401], (fx) => ({ url: `/api/v1/users/${fx.subject}/set_password`, body: { password: 'a-new-password' } })],
  'POST /api/v1/users/{id}/recovery_link': [[401, 403, 201, 201, 403, 201, 401, 401], (fx) => ({ url: `/api/v1/users/${fx.subject}/recovery_link` })],
  'POST /api/v1/tokens': [[401, 403, 201, 201, 403, 201, 401, 401], (fx) => ({ url: '/api/v1/tokens', body: { identifier: uniqueName('matrix'), intent: 'api', userId: fx.subject } })],
  // Someone who may not see the owner learns nothing: 404, as for an unknown id.
  'DELETE /api/v1/tokens/{id}': [[401, 404, 204, 204, 404, 204, 401, 401], async (fx) => ({ url: `/api/v1/tokens/${await tokenOf(fx.subject)}` })],
  'POST /api/v1/permissions': [[401, 403, 403, 403, 403, 201, 401, 401], async () => ({ url: '/api/v1/permissions', body: { userId: (await createUser(stack.db)).id, permission: 'view_audit' } })],
  'DELETE /api/v1/permissions/{id}': [[401, 403, 403, 403, 403, 204, 401, 401], async () => ({ url: `/api/v1/permissions/${(await grant((await createUser(stack.db)).id, 'view_audit')).id}` })],

  'POST /api/v1/lockdowns': [[401, 403, 201, 201, 403, 201, 401, 401], (fx) => ({ url: '/api/v1/lockdowns', body: { user: fx.subject, reason: 'authorization matrix' } })],
  // The preview tells only about users one manages: per-user holders preview theirs.
  'POST /api/v1/lockdowns/preview': [[401, 403, 200, 200, 403, 200, 401, 401], (fx) => ({ url: '/api/v1/lockdowns/preview', body: { users: [fx.subject] } })],
  'GET /api/v1/lockdowns': [[401, 200, 200, 200, 200, 200, 401, 401], () => ({ url: '/api/v1/lockdowns?limit=1' })],
  'GET /api/v1/lockdowns/{id}': [[401, 404, 200, 200, 200, 200, 401, 401], (fx) => ({ url: `/api/v1/lockdowns/${fx.finishedLockdown}` })],
  'GET /api/v1/lockdowns/{id}/results': [[401, 404, 200, 200, 200, 200, 401, 401], (fx) => ({ url: `/api/v1/lockdowns/${fx.finishedLockdown}/results` })],
  'GET /api/v1/lockdowns/{id}/history': [[401, 404, 403, 403, 200, 200, 401, 401], (fx) => ({ url: `/api/v1/lockdowns/${fx.finishedLockdown}/history` })],
  'GET /api/v1/lockdowns/{id}/timeline': [[401, 404, 403, 403, 200, 200, 401, 401], (fx) => ({ url: `/api/v1/lockdowns/${fx.finishedLockdown}/timeline` })],
  'GET /api/v1/lockdowns/{id}/export/results': [[401, 404, 200, 200, 200, 200, 401, 401], (fx) => ({ url: `/api/v1/lockdowns/${fx.finishedLockdown}/export/results` })],
  'GET /api/v1/lockdowns/{id}/export/timeline': [[401, 404, 403, 403, 200, 200, 401, 401], (fx) => ({ url: `/api/v1/lockdowns/${fx.finishedLockdown}/export/timeline` })],
  // The Temporal codec server: payloads in clear for view_audit only.
  'POST /api/v1/temporal-codec/decode': [[401, 403, 403, 403, 200, 200, 401, 401], () => ({ url: '/api/v1/temporal-codec/decode', body: { payloads: [] } })],
  'POST /api/v1/temporal-codec/encode': [[401, 403, 403, 403, 200, 200, 401, 401], () => ({ url: '/api/v1/temporal-codec/encode', body: { payloads: [] } })],
  // A lockdown is seen by its requester, change_user/view_audit holders and whoever holds change_user on every
  // target (changeUserOne here: the subject is the only target). Only the requester answers its prompts; they or a
  // superuser cancel it. Whoever does not see it gets 404 on every call, as for an id that does not exist.
  'POST /api/v1/lockdowns/{id}/stage': [[401, 404, 403, 403, 403, 403, 401, 401], (fx) => ({ url: `/api/v1/lockdowns/${fx.awaitingLockdown}/stage`, body: { reason: 'not yours' } })],
  // Approval: change_user on every target, never the requester (admin here); the finished lockdown is not waiting, so the allowed get 409.
  'POST /api/v1/lockdowns/{id}/approve': [[401, 404, 409, 409, 403, 409, 401, 401], (fx) => ({ url: `/api/v1/lockdowns/${fx.finishedLockdown}/approve`, body: { comment: 'matrix' } })],
  'POST /api/v1/lockdowns/{id}/reject': [[401, 404, 409, 409, 403, 409, 401, 401], (fx) => ({ url: `/api/v1/lockdowns/${fx.finishedLockdown}/reject`, body: { comment: 'matrix' } })],
  'POST /api/v1/lockdowns/{id}/cancel': [[401, 404, 403, 403, 403, 200, 401, 401], async (fx, who) => ({ url: `/api/v1/lockdowns/${who === 'superuser' ? await awaitingLockdown(fx.host) : fx.awaitingLockdown}/cancel` })],

  'GET /api/v1/events': [[401, 403, 403, 403, 200, 200, 401, 401], () => ({ url: '/api/v1/events?limit=1' })],
  // The table of event actions: any signed-in client (the console's Events filter and matcher form).
  'GET /api/v1/events/actions': [[401, 200, 200, 200, 200, 200, 401, 401], () => ({ url: '/api/v1/events/actions' })],
  'GET /api/v1/notification_deliveries': [[401, 403, 403, 403, 200, 200, 401, 401], () => ({ url: '/api/v1/notification_deliveries?limit=1' })],
  'GET /api/v1/me/notifications': [[401, 200, 200, 200, 200, 200, 401, 401], () => ({ url: '/api/v1/me/notifications' })],
  // Each caller's own inbox, grouped by lockdown; marking all seen marks only one's own.
  'GET /api/v1/me/notifications/groups': [[401, 200, 200, 200, 200, 200, 401, 401], () => ({ url: '/api/v1/me/notifications/groups' })],
  'POST /api/v1/me/notifications/seen': [[401, 200, 200, 200, 200, 200, 401, 401], () => ({ url: '/api/v1/me/notifications/seen', body: {} })],
  // A notification of the superuser identity: nobody else's to mark.
  'POST /api/v1/me/notifications/{id}/seen': [[401, 404, 404, 404, 404, 200, 401, 401], (fx) => ({ url: `/api/v1/me/notifications/${fx.superuserNotification}/seen` })],
  'GET /api/v1/groups': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/groups' })],
  'POST /api/v1/groups': [[401, 403, 403, 201, 403, 201, 401, 401], () => ({ url: '/api/v1/groups', body: { name: uniqueName('group') } })],
  'POST /api/v1/groups/{id}/members': [[401, 403, 403, 201, 403, 201, 401, 401], async (fx) => ({ url: `/api/v1/groups/${fx.group}/members`, body: { userId: (await createUser(stack.db)).id } })],
  'GET /api/v1/policies/event_matcher': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/policies/event_matcher' })],
  'POST /api/v1/policies/event_matcher': [[401, 403, 403, 201, 403, 201, 401, 401], () => ({ url: '/api/v1/policies/event_matcher', body: { name: uniqueName('policy'), action: 'account_lockdown_triggered' } })],
  'GET /api/v1/notification_transports': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/notification_transports' })],
  'POST /api/v1/notification_transports': [[401, 403, 403, 201, 403, 201, 401, 401], () => ({ url: '/api/v1/notification_transports', body: { name: uniqueName('transport'), mode: 'local' } })],
  'GET /api/v1/notification_rules': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/notification_rules' })],
  'POST /api/v1/notification_rules': [[401, 403, 403, 201, 403, 201, 401, 401], () => ({ url: '/api/v1/notification_rules', body: { name: uniqueName('rule'), severity: 'notice', transportIds: [], policyIds: [] } })],

  // Shared Signals: the receivers' documents are public; receivers are configuration (made disabled, so no lockdown pushes to them).
  'GET /.well-known/jwks.json': [[200, 200, 200, 200, 200, 200, 200, 200], () => ({ url: '/.well-known/jwks.json' })],
  'GET /.well-known/ssf-configuration': [[200, 200, 200, 200, 200, 200, 200, 200], () => ({ url: '/.well-known/ssf-configuration' })],
  'GET /api/v1/ssf_receivers': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/ssf_receivers?limit=1' })],
  'POST /api/v1/ssf_receivers': [[401, 403, 403, 201, 403, 201, 401, 401], () => ({ url: '/api/v1/ssf_receivers', body: { name: uniqueName('receiver'), endpointUrl: 'https://app.example.test/events', audience: 'app', enabled: false } })],
  'GET /api/v1/ssf_receivers/{id}': [[401, 403, 403, 200, 403, 200, 401, 401], async () => ({ url: `/api/v1/ssf_receivers/${(await ssfReceiver()).id}` })],
  'PATCH /api/v1/ssf_receivers/{id}': [[401, 403, 403, 200, 403, 200, 401, 401], async () => ({ url: `/api/v1/ssf_receivers/${(await ssfReceiver()).id}`, body: { audience: 'another-app' } })],
  'DELETE /api/v1/ssf_receivers/{id}': [[401, 403, 403, 204, 403, 204, 401, 401], async () => ({ url: `/api/v1/ssf_receivers/${(await ssfReceiver()).id}` })],
  'GET /api/v1/security_event_deliveries': [[401, 403, 403, 403, 200, 200, 401, 401], () => ({ url: '/api/v1/security_event_deliveries?limit=1' })],

  // Downstream connectors: change_user reads and tests them, superusers write (made disabled, so no lockdown reaches them).
  'GET /api/v1/connectors': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/connectors?limit=1' })],
  'POST /api/v1/connectors': [[401, 403, 403, 403, 403, 201, 401, 401], () => ({ url: '/api/v1/connectors', body: { name: uniqueName('connector'), kind: 'scim', baseUrl: 'https://scim.example.test/v2', token: 'matrix-token', enabled: false } })],
  'GET /api/v1/connectors/{id}': [[401, 403, 403, 200, 403, 200, 401, 401], async () => ({ url: `/api/v1/connectors/${(await connectorRow()).id}` })],
  'PATCH /api/v1/connectors/{id}': [[401, 403, 403, 403, 403, 200, 401, 401], async () => ({ url: `/api/v1/connectors/${(await connectorRow()).id}`, body: { name: uniqueName('renamed') } })],
  'DELETE /api/v1/connectors/{id}': [[401, 403, 403, 403, 403, 204, 401, 401], async () => ({ url: `/api/v1/connectors/${(await connectorRow()).id}` })],
  // The health check reaches nothing here (its credential does not open): what is asserted is who may ask.
  'POST /api/v1/connectors/{id}/test': [[401, 403, 403, 200, 403, 200, 401, 401], async () => ({ url: `/api/v1/connectors/${(await connectorRow()).id}/test`, body: {} })],
  // Whoever sees the lockdown learns only that nothing failed there; the rule on the users comes when something did.
  'POST /api/v1/lockdowns/{id}/downstream/retry': [[401, 404, 409, 409, 409, 409, 401, 401], async (fx) => ({ url: `/api/v1/lockdowns/${fx.finishedLockdown}/downstream/retry`, body: { connectorId: (await connectorRow()).id } })],
  // Restore access downstream: reading as the user's record, enabling as activate (nothing was disabled here: 409).
  'GET /api/v1/users/{id}/downstream': [[401, 403, 200, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/users/${fx.subject}/downstream` })],
  'POST /api/v1/users/{id}/downstream/{connectorId}/enable': [[401, 403, 409, 409, 403, 409, 401, 401], async (fx) => ({ url: `/api/v1/users/${fx.subject}/downstream/${(await connectorRow()).id}/enable`, body: {} })],
  // Lockdowns that start themselves: read with change_user, changed by a superuser; a password is unlocked by the rule of restoring access.
  'GET /api/v1/password_lockout': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/password_lockout' })],
  'PATCH /api/v1/password_lockout/{brandId}': [[401, 403, 403, 403, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/password_lockout/${fx.brand}`, body: { attempts: ++lockoutAttempts } })],
  'GET /api/v1/users/{id}/password_lockout': [[401, 403, 200, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/users/${fx.subject}/password_lockout` })],
  'POST /api/v1/users/{id}/unlock_password': [[401, 403, 204, 204, 403, 204, 401, 401], async (fx) => ({ url: `/api/v1/users/${await lockedPassword(fx.subject)}/unlock_password` })],
  'GET /api/v1/ssf_transmitters': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/ssf_transmitters?limit=1' })],
  'POST /api/v1/ssf_transmitters': [[401, 403, 403, 403, 403, 201, 401, 401], () => ({ url: '/api/v1/ssf_transmitters', body: { name: uniqueName('transmitter'), issuer: 'https://idp.example.test', jwksUrl: 'https://idp.example.test/jwks', events: { 'credential-change': 'alert' }, enabled: false } })],
  'GET /api/v1/ssf_transmitters/{id}': [[401, 403, 403, 200, 403, 200, 401, 401], async () => ({ url: `/api/v1/ssf_transmitters/${(await ssfTransmitter()).id}` })],
  'PATCH /api/v1/ssf_transmitters/{id}': [[401, 403, 403, 403, 403, 200, 401, 401], async () => ({ url: `/api/v1/ssf_transmitters/${(await ssfTransmitter()).id}`, body: { audience: uniqueName('audience') } })],
  'DELETE /api/v1/ssf_transmitters/{id}': [[401, 403, 403, 403, 403, 204, 401, 401], async () => ({ url: `/api/v1/ssf_transmitters/${(await ssfTransmitter()).id}` })],
  'POST /api/v1/ssf_transmitters/{id}/push_token': [[401, 403, 403, 403, 403, 200, 401, 401], async () => ({ url: `/api/v1/ssf_transmitters/${(await ssfTransmitter()).id}/push_token` })],
  // The push endpoint authenticates the transmitter by its push token, never a user's credential: every identity's is refused (RFC 8935 authentication_failed).
  'POST /api/v1/ssf_transmitters/{id}/push': [[400, 400, 400, 400, 400, 400, 400, 400], async () => ({ url: `/api/v1/ssf_transmitters/${(await ssfTransmitter()).id}/push`, body: { set: 'not a SET' } })],

  'GET /api/v1/brands': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/brands' })],
  // Security settings (a brand's lockdown flow, the stage's actions and approval): superusers only.
  'PATCH /api/v1/brands/{id}': [[401, 403, 403, 403, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/brands/${fx.brand}`, body: { flowLockdown: fx.flow } })],
  'GET /api/v1/flows': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/flows' })],
  'POST /api/v1/flows': [[401, 403, 403, 201, 403, 201, 401, 401], () => ({ url: '/api/v1/flows', body: { slug: uniqueName('flow'), name: 'Matrix', title: 'Matrix' } })],
  'GET /api/v1/flows/{slug}': [[401, 403, 403, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/flows/${fx.flow}` })],
  'PATCH /api/v1/flows/{slug}': [[401, 403, 403, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/flows/${fx.flow}`, body: { title: uniqueName('Lockdown') } })],
  'DELETE /api/v1/flows/{slug}': [[401, 403, 403, 204, 403, 204, 401, 401], async () => ({ url: `/api/v1/flows/${(await stack.db.flow.create({ data: { slug: uniqueName('gone'), name: 'x', title: 'x' } })).slug}` })],
  'GET /api/v1/flows/{slug}/bindings': [[401, 403, 403, 200, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/flows/${fx.flow}/bindings` })],
  'POST /api/v1/flows/{slug}/bindings': [[401, 403, 403, 201, 403, 201, 401, 401], async () => {
    const flow = await stack.db.flow.create({ data: { slug: uniqueName('bind'), name: 'x', title: 'x' } });
    return { url: `/api/v1/flows/${flow.slug}/bindings`, body: { stageId: (await promptStage()).id, order: 0 } };
  }],
  'DELETE /api/v1/flows/{slug}/bindings/{id}': [[401, 403, 403, 204, 403, 204, 401, 401], async () => {
    const flow = await stack.db.flow.create({ data: { slug: uniqueName('unbind'), name: 'x', title: 'x', bindings: { create: [{ stageId: (await promptStage()).id, order: 0 }] } }, include: { bindings: true } });
    return { url: `/api/v1/flows/${flow.slug}/bindings/${flow.bindings[0].id}` };
  }],
  'GET /api/v1/flows/{slug}/executor': [[401, 403, 403, 403, 403, 200, 401, 401], (fx) => ({ url: `/api/v1/flows/${fx.superuserFlow}/executor` })],
  'GET /api/v1/stages/prompt': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/stages/prompt' })],
  'POST /api/v1/stages/prompt': [[401, 403, 403, 201, 403, 201, 401, 401], () => ({ url: '/api/v1/stages/prompt', body: { name: uniqueName('prompt'), fields: [] } })],
  'GET /api/v1/stages/prompt/{id}': [[401, 403, 403, 200, 403, 200, 401, 401], async () => ({ url: `/api/v1/stages/prompt/${(await promptStage()).id}` })],
  'PATCH /api/v1/stages/prompt/{id}': [[401, 403, 403, 200, 403, 200, 401, 401], async () => ({ url: `/api/v1/stages/prompt/${(await promptStage()).id}`, body: { name: uniqueName('renamed') } })],
  'DELETE /api/v1/stages/prompt/{id}': [[401, 403, 403, 204, 403, 204, 401, 401], async () => ({ url: `/api/v1/stages/prompt/${(await promptStage()).id}` })],
  'GET /api/v1/stages/account_lockdown': [[401, 403, 403, 200, 403, 200, 401, 401], () => ({ url: '/api/v1/stages/account_lockdown' })],
  'POST /api/v1/stages/account_lockdown': [[401, 403, 403, 201, 403, 201, 401, 401], () => ({ url: '/api/v1/stages/account_lockdown', body: { name: uniqueName('lock') } })],
  'GET /api/v1/stages/account_lockdown/{id}': [[401, 403, 403, 200, 403, 200, 401, 401], async () => ({ url: `/api/v1/stages/account_lockdown/${(await lockdownStage()).id}` })],
  'PATCH /api/v1/stages/account_lockdown/{id}': [[401, 403, 403, 403, 403, 200, 401, 401], async () => ({ url: `/api/v1/stages/account_lockdown/${(await lockdownStage()).id}`, body: { deleteSessions: false } })],
  'DELETE /api/v1/stages/account_lockdown/{id}': [[401, 403, 403, 204, 403, 204, 401, 401], async () => ({ url: `/api/v1/stages/account_lockdown/${(await lockdownStage()).id}` })],
};

/**
 * The audit event each administrative operation writes (by the calling identity, in the same
 * transaction as the change): exactly one when it answers 2xx, none when it is refused.
 */
const AUDITED: Partial<Record<keyof typeof MATRIX, EventAction>> = {
  'POST /api/v1/users': 'user_created',
  'PATCH /api/v1/users/{id}': 'user_updated',
  'DELETE /api/v1/users/{id}': 'user_deleted',
  'DELETE /api/v1/users/{id}/sessions/{sessionId}': 'session_deleted',
  'POST /api/v1/users/{id}/activate': 'user_activated',
  'POST /api/v1/users/{id}/set_password': 'password_set',
  'POST /api/v1/users/{id}/recovery_link': 'recovery_link_created',
  'POST /api/v1/tokens': 'token_created',
  'DELETE /api/v1/tokens/{id}': 'token_deleted',
  'POST /api/v1/permissions': 'permission_granted',
  'DELETE /api/v1/permissions/{id}': 'permission_revoked',
  'POST /api/v1/groups': 'model_created',
  'POST /api/v1/groups/{id}/members': 'model_created',
  'POST /api/v1/policies/event_matcher': 'model_created',
  'POST /api/v1/notification_transports': 'model_created',
  'POST /api/v1/notification_rules': 'model_created',
  'POST /api/v1/ssf_receivers': 'model_created',
  'PATCH /api/v1/ssf_receivers/{id}': 'model_updated',
  'DELETE /api/v1/ssf_receivers/{id}': 'model_deleted',
  'PATCH /api/v1/brands/{id}': 'model_updated',
  'POST /api/v1/connectors': 'model_created',
  'PATCH /api/v1/connectors/{id}': 'model_updated',
  'DELETE /api/v1/connectors/{id}': 'model_deleted',
  'PATCH /api/v1/password_lockout/{brandId}': 'model_updated',
  'POST /api/v1/users/{id}/unlock_password': 'password_unlocked',
  'POST /api/v1/ssf_transmitters': 'model_created',
  'PATCH /api/v1/ssf_transmitters/{id}': 'model_updated',
  'DELETE /api/v1/ssf_transmitters/{id}': 'model_deleted',
  'POST /api/v1/ssf_transmitters/{id}/push_token': 'model_updated',
  'POST /api/v1/flows': 'model_created',
  'PATCH /api/v1/flows/{slug}': 'model_updated',
  'DELETE /api/v1/flows/{slug}': 'model_deleted',
  'POST /api/v1/flows/{slug}/bindings': 'model_created',
  'DELETE /api/v1/flows/{slug}/bindings/{id}': 'model_deleted',
  'POST /api/v1/stages/prompt': 'model_created',
  'PATCH /api/v1/stages/prompt/{id}': 'model_updated',
  'DELETE /api/v1/stages/prompt/{id}': 'model_deleted',
  'POST /api/v1/stages/account_lockdown': 'model_created',
  'PATCH /api/v1/stages/account_lockdown/{id}': 'model_updated',
  'DELETE /api/v1/stages/account_lockdown/{id}': 'model_deleted',
};

// Pages, not API operations.
const NOT_OPERATIONS = ['GET /api/v1/schema', 'GET /recovery', 'GET /recovery.js'];
const LOGIN_PASSWORD = 'matrix-login-password';

let stack: Stack;
let admin: string;
let fixtures: Fixtures;
const credentials = new Map<Identity, string | null>();
/** The user behind each identity, whose events the audited rows count. */
const actorIds = new Map<Identity, string>();
let document: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

const grant = (userId: string, permission: 'change_user' | 'view_audit', targetUserId: string | null = null) =>
  stack.db.permission.create({ data: { userId, permission, targetUserId } });
/** A fresh session of `userId`, by id (the matrix ends one per identity). */
const sessionOf = async (userId: string) => (await stack.db.session.findUniqueOrThrow({ where: { keyHash: hashKey(await addSession(stack.db, userId)) } })).id;
const tokenOf = async (userId: string) => (await stack.db.token.findUniqueOrThrow({ where: { keyHash: hashKey(await addToken(stack.db, userId, 'api')) } })).id;
const promptStage = () => stack.db.stage.create({ data: { name: uniqueName('matrix-prompt'), kind: 'prompt' } });
const ssfReceiver = () =>
  stack.db.ssfReceiver.create({ data: { name: uniqueName('matrix-receiver'), endpointUrl: 'https://app.example.test/events', audience: 'app', events: ['session-revoked'], enabled: false } });
const connectorRow = () =>
  stack.db.connector.create({ data: { name: uniqueName('matrix-connector'), kind: 'scim', baseUrl: 'https://scim.example.test/v2', credentialSealed: 'v1.unknown.not-sealed', actions: ['disable'], enabled: false } });
const ssfTransmitter = () =>
  stack.db.ssfTransmitter.create({
    data: { name: uniqueName('matrix-transmitter'), issuer: 'https://idp.example.test', jwksUrl: 'https://idp.example.test/jwks', audience: 'matrix', pushTokenHash: hashKey(uniqueName('push')), events: { 'credential-change': 'alert' }, enabled: false },
  });
/** The threshold each PATCH of the matrix brand's password lockout sets: a new one per call, so each is a change. */
let lockoutAttempts = 100;
/** The user, with their password locked (as password lockout leaves it). */
async function lockedPassword(userId: string): Promise<string> {
  const lock = { failedAttempts: 10, lockedAt: new Date() };
  await stack.db.passwordLockout.upsert({ where: { userId }, create: { userId, ...lock }, update: lock });
  return userId;
}
const lockdownStage = () => stack.db.stage.create({ data: { name: uniqueName('matrix-lock'), kind: 'account_lockdown', accountLockdown: { create: { selfServiceMessageTitle: 'x', selfServiceMessage: 'x' } } } });

async function awaitingLockdown(host: string): Promise<string> {
  const response = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).send({ user: fixtures?.subject ?? (await createUser(stack.db)).id });
  if (response.body.status !== 'awaiting_input') throw new Error(`expected a lockdown awaiting input, got ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id;
}

/** A user with `grants` and an API token (a token, so that logging out in the matrix ends nothing). */
async function identity(grants: ['change_user' | 'view_audit', string | null][], options: { isSuperuser?: boolean } = {}) {
  const user = await createUser(stack.db, { isSuperuser: options.isSuperuser });
  for (const [permission, target] of grants) await grant(user.id, permission, target);
  return { user, token: await addToken(stack.db, user.id, 'api') };
}

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  document = (await stack.http.get('/api/v1/schema')).body;
  // Lockdowns in the matrix run on a brand whose lockdown stage changes nothing, so the
  // subject stays usable for every row after.
  const { host, flowSlug } = await createBrand(stack.db, { actions: { deactivateUser: false, setUnusablePassword: false, deleteSessions: false, revokeTokens: false } });
  const subject = await createUser(stack.db);

  credentials.set('anonymous', null);
  const identities: [Identity, Awaited<ReturnType<typeof identity>>][] = [
    ['plain', await identity([])],
    ['changeUserOne', await identity([['change_user', subject.id]])],
    ['changeUserGlobal', await identity([['change_user', null]])],
    ['viewAudit', await identity([['view_audit', null]])],
    ['superuser', await identity([], { isSuperuser: true })],
  ];
  for (const [who, { user, token }] of identities) {
    credentials.set(who, token);
    actorIds.set(who, user.id);
  }
  const superuser = identities[4][1];

  // A user locked by a real lockdown (default brand: every action on), holding on to the session and token it had.
  const locked = await createUser(stack.db, { password: 'locked-user-password' });
  const lockedSession = await addSession(stack.db, locked.id);
  const lockedToken = await addToken(stack.db, locked.id, 'api');
  const lockdown = await stack.http.post('/api/v1/lockdowns').set(bearer(admin)).send({ user: locked.id, reason: 'matrix: locked identity' });
  expect((await waitForLockdown(stack, admin, lockdown.body.id)).status).toBe('completed');
  credentials.set('lockedSession', lockedSession);
  credentials.set('lockedToken', lockedToken);

  const finished = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).send({ user: subject.id, reason: 'matrix fixture' });
  await waitForLockdown(stack, admin, finished.body.id);
  const superuserFlow = await stack.db.flow.create({ data: { slug: uniqueName('superuser-flow'), name: 'x', title: 'x', authentication: 'require_superuser' } });
  const brand = await stack.db.brand.create({ data: { domain: `${uniqueName('matrix')}.test` } });
  const group = await stack.db.group.create({ data: { name: uniqueName('matrix-group') } });
  const event = await stack.db.event.create({ data: { action: 'matrix_test', actorSnapshot: {}, context: {} } });
  const rule = await stack.db.notificationRule.create({ data: { name: uniqueName('matrix-rule'), severity: 'notice' } });
  const notification = await stack.db.notification.create({ data: { userId: superuser.user.id, eventId: event.id, ruleId: rule.id, severity: 'notice', title: 'matrix', body: 'matrix' } });
  const loginUser = await stack.db.user.create({ data: { username: uniqueName('matrix-login'), passwordHash: await hashPassword(LOGIN_PASSWORD) } });
  fixtures = {
    subject: subject.id,
    host,
    finishedLockdown: finished.body.id,
    awaitingLockdown: '',
    flow: flowSlug!,
    superuserFlow: superuserFlow.slug,
    brand: brand.id,
    group: group.id,
    superuserNotification: notification.id,
    loginUsername: loginUser.username,
  };
  fixtures.awaitingLockdown = await awaitingLockdown(host);
}, 300_000);
afterAll(() => stack?.stop());

/** Every `METHOD /path` the server routes, found by walking Express's router (as test/openapi.test.ts does). */
function servedOperations(): string[] {
  const app = createApp({ config: stack.config, db: stack.db, temporal: stack.temporal, logger: createLogger('silent') });
  const served = new Set<string>();
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (layers: Layer[]) => {
    for (const layer of layers) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) served.add(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...served].filter((operation) => !NOT_OPERATIONS.includes(operation));
}

it('has a row for every route the server has, and no row for a route it does not have', () => {
  const served = servedOperations();
  expect(served.filter((operation) => !(operation in MATRIX))).toEqual([]);
  expect(Object.keys(MATRIX).filter((operation) => !served.includes(operation))).toEqual([]);
});

it('documents every status of the matrix for its operation', () => {
  const undocumented: string[] = [];
  for (const [operation, [row]] of Object.entries(MATRIX)) {
    const [method, path] = operation.split(' ');
    const responses = document.paths[path]?.[method.toLowerCase()]?.responses ?? {};
    for (const status of new Set(row)) if (!(String(status) in responses)) undocumented.push(`${operation} → ${status}`);
  }
  expect(undocumented).toEqual([]);
});

it.each(Object.keys(MATRIX))('%s answers each identity as the matrix says', async (operation) => {
  const [method, path] = operation.split(' ');
  const [expected, caller] = MATRIX[operation];
  const audited = AUDITED[operation];
  const eventsBy = (who: Identity) => (audited && actorIds.has(who) ? stack.db.event.count({ where: { action: audited, actorId: actorIds.get(who) } }) : Promise.resolve(0));
  const actual: Record<string, number> = {};
  const events: Record<string, number> = {};
  for (const who of IDENTITIES) {
    const call = await caller(fixtures, who);
    let request = stack.http[method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](call.url).set('Host', fixtures.host);
    const key = credentials.get(who);
    if (key) request = request.set(bearer(key));
    const before = await eventsBy(who);
    const response = call.body ? await request.send(call.body) : await request;
    actual[who] = response.status;
    events[who] = (await eventsBy(who)) - before;
    if (response.status >= 500) throw new Error(`${operation} as ${who}: ${response.status} ${JSON.stringify(response.body)} (${path})`);
  }
  expect(actual).toEqual(Object.fromEntries(IDENTITIES.map((who, index) => [who, expected[index]])));
  if (audited) {
    // One event per change by whoever made it; none for a refusal (anonymous and locked identities have no actor to count).
    const written = (who: Identity, index: number) => (actorIds.has(who) && expected[index] < 300 ? 1 : 0);
    expect({ audited, events }).toEqual({ audited, events: Object.fromEntries(IDENTITIES.map((who, index) => [who, written(who, index)])) });
  }
});

/** The matrix as the Markdown table README.md shows (`PRINT_MATRIX=1`). */
afterAll(() => {
  if (!process.env.PRINT_MATRIX) return;
  const labels = ['anonymous', 'plain user', '`change_user` on the user', '`change_user` global', '`view_audit`', 'superuser', 'locked: old session', 'locked: old token'];
  const header = `| operation | ${labels.join(' | ')} |\n| --- |${' --- |'.repeat(labels.length)}`;
  const rows = Object.entries(MATRIX).map(([operation, [row]]) => `| \`${operation}\` | ${row.join(' | ')} |`);
  process.stderr.write(`${header}\n${rows.join('\n')}\n`);
});
