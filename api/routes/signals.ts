import express, { type Router } from 'express';
import type { ApiDeps, Route } from '../app';
import { IdParams } from '../schemas';
import {
  BrandParams,
  CreatedSsfTransmitter,
  CreateSsfTransmitterBody,
  PasswordLockoutPolicies,
  PasswordLockoutPolicy,
  PasswordLockoutStatus,
  PushRefusal,
  PushToken,
  SsfTransmitter,
  SsfTransmitterPage,
  SsfTransmitterPageQuery,
  UpdatePasswordLockoutPolicyBody,
  UpdateSsfTransmitterBody,
} from '../schemas/signals';

/**
 * Lockdowns that start themselves: password lockout (each brand's policy, a user's lock and
 * unlocking it) and Shared Signals received — the transmitters this service trusts and the
 * RFC 8935 push endpoint they send their SETs to.
 */
const needsChangeUser = { 403: { description: 'change_user missing (globally).' } };
const superuserOnly = { 403: { description: 'change_user missing, or not a superuser (these settings decide what locks accounts with no person asking).' } };
const unknownTransmitter = { 404: { description: 'No such transmitter.' } };
const PUSH_PATH = '/api/v1/ssf_transmitters/:id/push';

export function signalRoutes(router: Router, route: Route, { services: { passwordLockoutAdmin: lockout, ssfTransmitters: transmitters, ssfPush } }: ApiDeps) {
  // ── Password lockout ──

  route({
    method: 'get',
    path: '/api/v1/password_lockout',
    tag: 'signals',
    summary: 'Each brand’s password lockout policy (off unless turned on), the default threshold, and whether you may change them (needs change_user).',
    auth: 'required',
    responses: { 200: { description: 'The policies.', schema: PasswordLockoutPolicies }, ...needsChangeUser },
    handler: async ({ auth }) => ({ status: 200, body: await lockout.listPolicies(auth.user) }),
  });

  route({
    method: 'patch',
    path: '/api/v1/password_lockout/:brandId',
    tag: 'signals',
    summary:
      'Change a brand’s password lockout: on/off, the number of consecutive failed password logins that lock a password, and whether it also runs the lockdown flow ' +
      '(superusers only; writes `model_updated` of `password_lockout_policy`).',
    auth: 'required',
    params: BrandParams,
    body: UpdatePasswordLockoutPolicyBody,
    responses: { 200: { description: 'The policy.', schema: PasswordLockoutPolicy }, 404: { description: 'Unknown brand.' }, 409: { description: 'A concurrent change made the system account meanwhile; retry.' }, ...superuserOnly },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 200, body: await lockout.updatePolicy(auth.user, params.brandId, body, { clientIp }) }),
  });

  route({
    method: 'get',
    path: '/api/v1/users/:id/password_lockout',
    tag: 'users',
    summary: 'The user’s password lockout: locked or not, the failed logins counted, the escalation, and whether you may unlock it (yourself, or change_user on the user).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The status.', schema: PasswordLockoutStatus }, 403: { description: 'Not yourself, and change_user on the user missing.' }, 404: { description: 'Unknown user.' } },
    handler: async ({ auth, params }) => ({ status: 200, body: await lockout.status(auth.user, params.id) }),
  });

  route({
    method: 'post',
    path: '/api/v1/users/:id/unlock_password',
    tag: 'users',
    summary:
      'Unlock a password locked by password lockout and clear its count (the rule of restoring access, as activate; writes `password_unlocked`). Setting a new password unlocks it too.',
    auth: 'required',
    params: IdParams,
    responses: {
      204: { description: 'Unlocked.' },
      400: { description: 'The anonymous user (`protected_account`).' },
      403: { description: 'change_user on the user missing; or, unless you are a superuser, the user is a superuser, holds a permission, or is an internal service account.' },
      404: { description: 'Unknown user.' },
      409: { description: 'The password is not locked (`not_locked`).' },
    },
    handler: async ({ auth, params, clientIp }) => {
      await lockout.unlock(auth.user, params.id, { clientIp });
      return { status: 204 };
    },
  });

  // ── Shared Signals transmitters ──

  route({
    method: 'get',
    path: '/api/v1/ssf_transmitters',
    tag: 'signals',
    summary: 'The Shared Signals transmitters this service trusts, newest first (needs change_user).',
    auth: 'required',
    query: SsfTransmitterPageQuery,
    responses: { 200: { description: 'A page of transmitters.', schema: SsfTransmitterPage }, ...needsChangeUser },
    handler: async ({ auth, query }) => ({ status: 200, body: await transmitters.list(auth.user, query) }),
  });

  route({
    method: 'post',
    path: '/api/v1/ssf_transmitters',
    tag: 'signals',
    summary: 'Trust a Shared Signals transmitter; the answer carries its push URL and, this once, its push token (superusers only; writes `model_created`).',
    auth: 'required',
    body: CreateSsfTransmitterBody,
    responses: { 201: { description: 'Registered.', schema: CreatedSsfTransmitter }, 409: { description: 'A transmitter (or an account ssf:<name>) with this name exists.' }, ...superuserOnly },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await transmitters.create(auth.user, body, { clientIp }) }),
  });

  route({
    method: 'get',
    path: '/api/v1/ssf_transmitters/:id',
    tag: 'signals',
    summary: 'One transmitter (needs change_user).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The transmitter.', schema: SsfTransmitter }, ...unknownTransmitter, ...needsChangeUser },
    handler: async ({ auth, params }) => ({ status: 200, body: await transmitters.get(auth.user, params.id) }),
  });

  route({
    method: 'patch',
    path: '/api/v1/ssf_transmitters/:id',
    tag: 'signals',
    summary: 'Change a transmitter (superusers only; writes `model_updated`).',
    auth: 'required',
    params: IdParams,
    body: UpdateSsfTransmitterBody,
    responses: { 200: { description: 'The transmitter.', schema: SsfTransmitter }, ...unknownTransmitter, 409: { description: 'Name taken.' }, ...superuserOnly },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 200, body: await transmitters.update(auth.user, params.id, body, { clientIp }) }),
  });

  route({
    method: 'delete',
    path: '/api/v1/ssf_transmitters/:id',
    tag: 'signals',
    summary: 'Stop trusting a transmitter: removes it, its replay record and its service account (superusers only; writes `model_deleted`).',
    auth: 'required',
    params: IdParams,
    responses: { 204: { description: 'Removed.' }, ...unknownTransmitter, ...superuserOnly },
    handler: async ({ auth, params, clientIp }) => {
      await transmitters.remove(auth.user, params.id, { clientIp });
      return { status: 204 };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/ssf_transmitters/:id/push_token',
    tag: 'signals',
    summary: 'A new push token for the transmitter; the old one stops working at once (superusers only; writes `model_updated`).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The new token, shown this once.', schema: PushToken }, ...unknownTransmitter, ...superuserOnly },
    handler: async ({ auth, params, clientIp }) => ({ status: 200, body: await transmitters.rotatePushToken(auth.user, params.id, { clientIp }) }),
  });

  // The SET is the body itself (a compact JWS), not JSON.
  router.post(PUSH_PATH, express.text({ type: ['application/secevent+jwt', 'application/jwt'], limit: '64kb' }));
  route({
    method: 'post',
    path: PUSH_PATH,
    tag: 'signals',
    summary:
      'RFC 8935 push endpoint of a trusted transmitter: the body is one Security Event Token (`Content-Type: application/secevent+jwt`), authenticated with ' +
      '`Authorization: Bearer <push token>`. 202: accepted (and acted on as configured); 400: refused, with an RFC 8935 error code.',
    auth: 'none',
    params: IdParams,
    responses: {
      202: { description: 'Accepted.' },
      400: { description: 'Refused: `authentication_failed`, `access_denied`, `invalid_request` (also a replayed jti), `invalid_key`, `invalid_issuer`, `invalid_audience`.', schema: PushRefusal },
      503: { description: 'The transmitter’s keys could not be fetched, or Temporal did not accept the lockdown: nothing was recorded; push again.' },
    },
    handler: async ({ params, req, clientIp }) => {
      const answer = await ssfPush.receive(params.id, req.get('authorization'), req.body, { clientIp });
      return answer.status === 202 ? { status: 202 } : { status: 400, body: answer.body };
    },
  });
}
