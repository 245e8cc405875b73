import cors from 'cors';
import type { Router } from 'express';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import { canDecodeTemporalPayloads } from '../../domain/permissions';
import { createPayloadCodec } from '../../lib/data-converter';
import type { ApiDeps, Route } from '../app';
import { authorize } from '../authorization';

/**
 * The codec server of Temporal's data-encryption guide: the Temporal Web UI and CLI
 * (`--codec-endpoint`) post the payloads they show and get them back decoded. Only callers
 * with view_audit get clear text; the browser may call it only from the configured Web UI.
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

export function temporalCodecRoutes(router: Router, route: Route, { config, db }: ApiDeps) {
  const codec = createPayloadCodec(config);
  // Browsers may call it from the Temporal Web UI only, with its cookies (the UI's "include credentials").
  router.use(
    CODEC_PATH,
    cors({
      origin: new URL(config.TEMPORAL_UI_URL).origin,
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
      body: PayloadsBody,
      responses: {
        200: { description: `The payloads, ${direction}d, in the same order.`, schema: PayloadsBody },
        403: { description: 'view_audit missing: payloads stay encrypted.' },
      },
      handler: async ({ auth, body }) => {
        await authorize(canDecodeTemporalPayloads(db, auth.user), 'Reading Temporal payloads in clear needs the view_audit permission.');
        const payloads = body.payloads.map(toPayload);
        if (direction === 'encode') return { status: 200, body: { payloads: (await codec.encode(payloads)).map(toJson) } };
        // One payload under a key this server lacks (or tampered with) stays as it is; the rest is readable.
        const decoded = await Promise.all(payloads.map((payload) => codec.decode([payload]).then(([clear]) => clear, () => payload)));
        return { status: 200, body: { payloads: decoded.map(toJson) } };
      },
    });
  }
}
