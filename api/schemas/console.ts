import { z } from 'zod';
import '../http/openapi';
import { ACCOUNT_ACTIONS, type AccountAction } from '../../domain/permissions';

/** Shapes the web console needs besides the resources themselves. */

export const CsrfToken = z
  .object({ csrfToken: z.string(), header: z.literal('X-CSRF-Token') })
  .openapi('CsrfToken', { description: 'Send `csrfToken` as the X-CSRF-Token header on state-changing requests made with the session cookie.' });

export const CapabilitiesQuery = z.object({ user: z.string().min(1).max(100).optional() });

const ACCOUNT_ACTION_MEANINGS: Record<AccountAction, string> = {
  edit: 'PATCH name and email.',
  deactivate: 'PATCH isActive false.',
  activate: 'POST activate, or PATCH isActive true.',
  delete: 'DELETE the user.',
  setPassword: 'POST set_password.',
  recoveryLink: 'POST recovery_link.',
  createToken: 'POST /tokens for the user (an api token).',
  lockdown: 'POST /lockdowns for this one user (false too when the user is already locked down: the API answers 409).',
  viewSessions: 'GET the user, their sessions and tokens.',
  endSessions: 'DELETE a session of the user, or a token of theirs.',
};

export const AccountCapabilities = z
  .object(Object.fromEntries(ACCOUNT_ACTIONS.map((action) => [action, z.boolean().describe(ACCOUNT_ACTION_MEANINGS[action])])) as Record<AccountAction, z.ZodBoolean>)
  .openapi('AccountCapabilities', { description: 'Each account action the caller may take on one user (services/authorization.ts `accountCapabilities`).' });

export const Capabilities = z
  .object({
    changeUser: z.boolean().describe('change_user: globally, or on `user` when given.'),
    viewAudit: z.boolean(),
    configure: z.boolean().describe('May change brands, flows, stages and notification settings.'),
    changeSecuritySettings: z
      .boolean()
      .describe('May change the security settings of the configuration: the Account Lockdown stage’s action and approval switches, a flow’s authentication, a brand’s lockdown flow (superusers).'),
    grantPermissions: z.boolean(),
    listUsers: z.boolean().describe('GET /users lists someone: change_user held globally or on some users (the users list, and the lockdown preview).'),
    listLockdowns: z.boolean().describe('GET /lockdowns has something for you: change_user or view_audit held (globally, or change_user on some users), or a lockdown you requested.'),
    user: AccountCapabilities.nullable().describe('With `?user=`: what the caller may do to that user; otherwise null.'),
  })
  .openapi('Capabilities', { description: 'What the caller may do, so a client can show only the actions that will be allowed.' });
