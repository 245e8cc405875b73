import type { Router } from 'express';
import type { ApiDeps, Route } from '../app';
import { LockdownPreview, LockdownPreviewBody } from '../schemas/lockdown-preview';

/** Before a lockdown is requested: who it would lock, and who it cannot. */
export function lockdownPreviewRoutes(_router: Router, route: Route, { services: { lockdownPreview } }: ApiDeps) {
  route({
    method: 'post',
    path: '/api/v1/lockdowns/preview',
    tag: 'lockdowns',
    summary:
      'Who a selection would lock, and who it cannot (protected, already locked, not yours to lock, unknown, ambiguous) — before anything starts; ' +
      'nothing is recorded. Give user ids, a filter of GET /users ("select all matching", every page), pasted usernames/emails, or a CSV file ' +
      'as the CLI reads it, or several. Entries outside the users you manage are all answered `not_permitted`, whether they exist or not. ' +
      'Then POST /lockdowns with `users` = the `lockable` ids (at most `maxTargets` per lockdown).',
    auth: 'required',
    body: LockdownPreviewBody,
    responses: {
      200: { description: 'The preview.', schema: LockdownPreview },
      400: { description: 'Invalid field; a file that is not CSV (`body.csv`); more entries, or filter matches, than one preview takes.' },
      403: { description: 'change_user held on nobody.' },
    },
    handler: async ({ auth, body }) => ({ status: 200, body: await lockdownPreview.preview(auth.user, body) }),
  });
}
