import cors from 'cors';
import type { Router } from 'express';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import type { ApiDeps, Route } from '../app';

/**
 * The codec server of Temporal's data-encryption guide: the Temporal Web UI and CLI
 * (`--codec-endpoint`) post the payloads they show and get them back decoded. Only callers
 * with view_audit get clear text.
 *
 * Browsers call it from the configured Temporal Web UI (TEMPORAL_UI_URL) with the auditor's
 * session cookie (the UI's codec setting `includeCredentials`): CORS allows that origin, with
 * credentials, and no other. CSRF: the UI cannot send our X-CSRF-Token (it cannot read it), so
 * a cookie request is accepted without the token when its `Origin` is the UI's — the Origin
 * header, which a browser sets on every cross-origin POST and no page can forge, is the CSRF
 * check here (OWASP's "verifying origin with standard headers"). That is enough because a codec
 * call changes nothing: it is a function of the body and the caller's permission. A forged
 * request from any other site still needs the token and fails (403 `csrf_failed`), and even
 * without that check it could not read the answer (CORS). Every other route keeps requiring
 * the token from every origin.
 */
const CODEC_PATH = '/api/v1/temporal-codec';
const MAX_PAYLOADS = 10_000;

const base64 = z.string().max(4_000_000).regex(/^[A-Za-z0-9+/=_-]*$/, 'base64');
const JsonPayload = z
  .object({ metadata: z.record(z.string().max(256), base64).optional(), data: base64.optional() })
  .openapi('TemporalPayload');
const PayloadsBody = z.object({ payloads: z.array(JsonPayload).max(MAX_PAYLOADS) }).openapi('TemporalPayloads');

type JsonPayload = z.infer<typeof JsonPayload>;

const toPayload = (json: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: Buffer.from(json.data ?? '', 'base64'),
});
const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

export function temporalCodecRoutes(router: Router, route: Route, { config, services: { lockdownAudit } }: ApiDeps) {
  const uiOrigin = new URL(config.TEMPORAL_UI_URL).origin;
  router.use(
    CODEC_PATH,
    cors({
      // A list, so that only a matching Origin is answered (and `Vary: Origin` is set).
      origin: [uiOrigin],
      credentials: true,
      methods: ['POST'],
      // The headers the UI asks for (Content-Type, X-Namespace, Authorization…) are echoed.
      maxAge: 600,
    }),
  );

  for (const direction of ['decode', 'encode'] as const) {
    route({
      method: 'post',
      path: `${CODEC_PATH}/${direction}`,
      tag: 'audit',
      summary:
        direction === 'decode'
          ? 'Temporal codec server: decrypt payloads for the Web UI and `temporal … --codec-endpoint` (needs view_audit). Unencrypted payloads come back unchanged.'
          : 'Temporal codec server: encrypt payloads (needs view_audit).',
      auth: 'required',
      csrfTrustedOrigins: [uiOrigin],
      body: PayloadsBody,
      responses: {
        200: { description: `The payloads, ${direction}d, in the same order.`, schema: PayloadsBody },
        403: { description: 'view_audit missing: payloads stay encrypted.' },
      },
      handler: async ({ auth, body }) => ({
        status: 200,
        body: { payloads: (await lockdownAudit.codecPayloads(auth.user, direction, body.payloads.map(toPayload))).map(toJson) },
      }),
    });
  }
}
