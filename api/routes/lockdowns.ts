import type { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps, Route } from '../app';
import { badRequest } from '../http/errors';
import { ApprovalBody, CreateLockdownBody, StageSubmission, IdParams, Lockdown, LockdownResult, LockdownsQuery, page, ResultsQuery } from '../schemas';

const IdempotencyKey = z.string().min(1).max(255);

export function lockdownRoutes(_router: Router, route: Route, { services: { lockdowns }, metrics }: ApiDeps) {
  route({
    method: 'post',
    path: '/api/v1/lockdowns',
    tag: 'lockdowns',
    summary:
      'Lock one user (`user`), several (`users`), or yourself (neither). With a `reason` the run proceeds at once; ' +
      'without, it waits at the prompt. Optional `Idempotency-Key` header.',
    auth: 'required',
    body: CreateLockdownBody,
    responses: {
      201: { description: 'Started.', schema: Lockdown },
      200: { description: 'Same Idempotency-Key and body: the earlier lockdown.', schema: Lockdown },
      403: { description: 'change_user missing for a target (checked before any id is looked at), or the flow needs a superuser.' },
      409: {
        description:
          'Idempotency-Key reused with another body (`idempotency_conflict`); or `already_locked`: the one user named is already locked down (inactive, ' +
          'no usable password, no session, no token), nothing started — `details[0]` `{ id, reason, lockdownId }` names the lockdown that locked them ' +
          '(when visible to you). A bulk request is never refused for that: its already locked users are run too, find nothing left to change, and are ' +
          'recorded locked (POST /lockdowns/preview lists them beforehand).',
      },
      503: { description: 'No worker answered in time.' },
    },
    handler: async ({ auth, body, req, clientIp }) => {
      const header = req.get('idempotency-key');
      const key = header === undefined ? undefined : IdempotencyKey.safeParse(header);
      if (key && !key.success) throw badRequest('Idempotency-Key must be 1 to 255 characters.', [{ field: 'headers.idempotency-key', message: 'invalid' }]);
      const { created, view } = await lockdowns.create(auth.user, body, { idempotencyKey: key?.data, clientIp, host: req.hostname });
      if (created) {
        metrics.lockdownsRequested.inc({ kind: view.selfService ? 'self_service' : view.progress.total > 1 ? 'bulk' : 'single' });
        metrics.lockdownTargets.inc(view.progress.total);
      }
      return { status: created ? 201 : 200, body: view };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/lockdowns/:id',
    tag: 'lockdowns',
    summary: 'A lockdown: status, progress, first page of results, current stage, self-service ending.',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The lockdown.', schema: Lockdown }, 404: { description: 'Unknown or not visible.' } },
    handler: async ({ auth, params }) => ({ status: 200, body: await lockdowns.get(auth.user, params.id) }),
  });

  route({
    method: 'post',
    path: '/api/v1/lockdowns/:id/stage',
    tag: 'lockdowns',
    summary: 'Submit the current prompt’s fields; 400 with per-field details when a required field is missing.',
    auth: 'required',
    params: IdParams,
    body: StageSubmission,
    responses: {
      200: { description: 'Accepted; the lockdown as it is now.', schema: Lockdown },
      403: { description: 'Only the person who started the lockdown answers its prompts.' },
      404: { description: 'Unknown or not visible.' },
      409: { description: 'Not waiting for input.' },
      503: { description: 'No worker answered in time.' },
    },
    handler: async ({ auth, params, body }) => ({ status: 200, body: await lockdowns.submitStage(auth.user, params.id, body) }),
  });

  route({
    method: 'post',
    path: '/api/v1/lockdowns/:id/cancel',
    tag: 'lockdowns',
    summary:
      'Cancel: a lockdown waiting at its prompt or for approval ends, nobody locked; a running bulk lockdown starts no more users and the users already started finish locking. ' +
      'After containment the users not yet started stay deactivated, but their password, sessions and tokens were not touched: to undo, activate them; to finish locking them, start a new lockdown of them. ' +
      '`cancellation.effect` says what cancelling does now, `cancellation.outcome` what it did.',
    auth: 'required',
    params: IdParams,
    responses: {
      200: { description: 'The lockdown.', schema: Lockdown },
      403: { description: 'Only the person who started the lockdown, or a superuser, cancels it.' },
      404: { description: 'Unknown or not visible.' },
      409: { description: 'Already finished or failed, or its workflow has ended.' },
      503: { description: 'Temporal did not answer in time.' },
    },
    handler: async ({ auth, params }) => ({ status: 200, body: await lockdowns.cancel(auth.user, params.id) }),
  });

  for (const decision of ['approve', 'reject'] as const) {
    route({
      method: 'post',
      path: `/api/v1/lockdowns/:id/${decision}`,
      tag: 'lockdowns',
      summary:
        decision === 'approve'
          ? 'Approve a lockdown waiting for approval: it runs. Never its requester; needs change_user on every target. Audited with the comment.'
          : 'Reject a lockdown waiting for approval: it ends `rejected`, nobody locked. Never its requester; needs change_user on every target. Audited with the comment.',
      auth: 'required',
      params: IdParams,
      body: ApprovalBody,
      responses: {
        200: { description: 'The lockdown as it is now.', schema: Lockdown },
        403: { description: 'The requester, or no change_user on every target.' },
        404: { description: 'Unknown lockdown.' },
        409: { description: 'Not waiting for approval.' },
      },
      handler: async ({ auth, params, body }) => ({
        status: 200,
        body: await lockdowns.decideApproval(auth.user, params.id, decision === 'approve', body.comment ?? ''),
      }),
    });
  }

  route({
    method: 'get',
    path: '/api/v1/lockdowns',
    tag: 'lockdowns',
    summary: 'Lockdowns, newest first: your own, or all with change_user/view_audit.',
    auth: 'required',
    query: LockdownsQuery,
    responses: { 200: { description: 'A page of lockdowns.', schema: page(Lockdown, 'LockdownPage') } },
    handler: async ({ auth, query }) => ({ status: 200, body: await lockdowns.list(auth.user, query) }),
  });

  route({
    method: 'get',
    path: '/api/v1/lockdowns/:id/results',
    tag: 'lockdowns',
    summary: 'Per-user results, paged: in request order, or sorted (`sort`: username, result — failures first —, sessions, tokens) and filtered by `status`.',
    auth: 'required',
    params: IdParams,
    query: ResultsQuery,
    responses: { 200: { description: 'A page of results.', schema: page(LockdownResult, 'LockdownResultPage') }, 404: { description: 'Unknown or not visible.' } },
    handler: async ({ auth, params, query }) => ({ status: 200, body: await lockdowns.results(auth.user, params.id, query) }),
  });
}
