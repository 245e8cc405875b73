import { z } from 'zod';
import '../http/openapi';

/** Shapes the web console needs besides the resources themselves. */

export const CsrfToken = z
  .object({ csrfToken: z.string(), header: z.literal('X-CSRF-Token') })
  .openapi('CsrfToken', { description: 'Send `csrfToken` as the X-CSRF-Token header on state-changing requests made with the session cookie.' });

export const CapabilitiesQuery = z.object({ user: z.string().min(1).max(100).optional() });

export const Capabilities = z
  .object({
    changeUser: z.boolean().describe('change_user: globally, or on `user` when given.'),
    viewAudit: z.boolean(),
    configure: z.boolean().describe('May change brands, flows, stages and notification settings.'),
    grantPermissions: z.boolean(),
  })
  .openapi('Capabilities', { description: 'What the caller may do, so a client can show only the actions that will be allowed.' });
