import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { unauthorized, validationError } from './errors';
import { assertSafeInput, type InputLocation } from './input';
import { toOpenApiPath } from './openapi';

export interface AuthUser {
  id: string;
  username: string;
  name: string;
  email: string;
  isActive: boolean;
  isSuperuser: boolean;
  type: string;
}

export interface AuthContext {
  user: AuthUser;
  /** The session the request came with, if it came with one. */
  sessionId: string | null;
}

export interface RequestContext<B, Q, P, A extends AuthContext | null> {
  body: B;
  query: Q;
  params: P;
  auth: A;
  clientIp: string | null;
  req: Request;
  res: Response;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

/** required: 401 without credentials; optional: auth may be null; none: credentials are not read. */
type AuthMode = 'required' | 'optional' | 'none';

export interface RouteSpec<B, Q, P, M extends AuthMode> {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  auth: M;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /**
   * Origins whose cookie-session requests need no X-CSRF-Token (see api/authentication.ts): only
   * for routes that change nothing, called by a page of another configured origin.
   */
  csrfTrustedOrigins?: string[];
  handler: (ctx: RequestContext<B, Q, P, M extends 'required' ? AuthContext : M extends 'optional' ? AuthContext | null : null>) => Promise<RouteResult>;
}

export type Authenticator = (req: Request, options?: { csrfTrustedOrigins?: string[] }) => Promise<AuthContext | null>;

const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.array(z.unknown()).optional() }) })
  .openapi('Error');

/**
 * Declares a route once: validation, authentication and its OpenAPI entry come from the
 * same spec, so the document cannot drift from what the server accepts.
 */
export function createRouteBuilder(router: Router, registry: OpenAPIRegistry, authenticate: Authenticator) {
  return function route<B = undefined, Q = undefined, P = undefined, M extends AuthMode = 'required'>(spec: RouteSpec<B, Q, P, M>) {
    registerInOpenApi(registry, spec);
    router[spec.method](spec.path, async (req, res) => {
      const auth = spec.auth === 'none' ? null : await authenticate(req, { csrfTrustedOrigins: spec.csrfTrustedOrigins });
      if (spec.auth === 'required' && !auth) throw unauthorized();
      const body = parse(spec.body, req.body ?? {}, 'body');
      const query = parse(spec.query, req.query, 'query');
      const params = parse(spec.params, req.params, 'params');
      const ctx = { body, query, params, auth, clientIp: req.ip ?? null, req, res } as RequestContext<B, Q, P, never>;
      const result = await spec.handler(ctx);
      if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    });
  };
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, location: InputLocation): T {
  assertSafeInput(value, location);
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, location);
  return parsed.data;
}

function registerInOpenApi<B, Q, P, M extends AuthMode>(registry: OpenAPIRegistry, spec: RouteSpec<B, Q, P, M>) {
  const responses: Record<string, ResponseConfig> = {};
  const errorResponse = (description: string): ResponseConfig => ({ description, content: { 'application/json': { schema: ErrorSchema } } });
  for (const [status, response] of Object.entries(spec.responses)) {
    // Every error answer has the one error envelope.
    const schema = response.schema ?? (Number(status) >= 400 ? ErrorSchema : undefined);
    responses[status] = schema ? { description: response.description, content: { 'application/json': { schema } } } : { description: response.description };
  }
  const takesBody = spec.method === 'post' || spec.method === 'patch';
  if (spec.body || spec.query || spec.params || takesBody) responses['400'] ??= errorResponse('Invalid input; `details` names each field at fault.');
  if (spec.auth === 'required') responses['401'] ??= errorResponse('Not authenticated.');
  if (takesBody) {
    responses['413'] ??= errorResponse('The request body is larger than 1 MB.');
    responses['415'] ??= errorResponse('The body’s Content-Encoding or charset is not supported.');
  }
  responses['414'] ??= errorResponse('The URL is longer than 8,192 characters.');
  registry.registerPath({
    method: spec.method,
    path: toOpenApiPath(spec.path),
    summary: spec.summary,
    tags: [spec.tag],
    security: spec.auth === 'none' ? [] : [{ bearer: [] }, { basic: [] }, { cookie: [] }, ...(spec.auth === 'optional' ? [{}] : [])],
    request: {
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.params ? { params: spec.params as never } : {}),
    },
    responses,
  });
}

