import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import { createApp } from '../api/app';
import { createLogger } from '../lib/logger';
import { createBrand } from './support/flows';
import { adminSession, bearer, createUser, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';

/**
 * The OpenAPI document is generated from the same zod schemas that validate requests.
 * Here: every route the server has is documented, and real answers match the document.
 */
let stack: Stack;
let admin: string;
let document: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>; components: object };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  document = (await stack.http.get('/api/v1/schema')).body;
});
afterAll(() => stack?.stop());

/** Checks a real response against the documented schema for its path, method and status. */
function expectDocumented(response: Response, method: string, path: string) {
  const operation = document.paths[path]?.[method];
  expect(operation).toBeDefined();
  const documented = operation.responses[String(response.status)];
  if (!documented) throw new Error(`${method.toUpperCase()} ${path} answered ${response.status}, which is not documented`);
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) return;
  const validate = ajv.compile({ ...schema, components: document.components });
  if (!validate(response.body)) throw new Error(`${method} ${path} ${response.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body)}`);
}

it('documents every route the server has, and nothing it does not have', () => {
  const app = createApp({ config: stack.config, db: stack.db, temporal: stack.temporal, logger: createLogger('silent') });
  const served = new Set<string>();
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (layers: Layer[]) => {
    for (const layer of layers) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) served.add(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  // The docs UI and the recovery page are not API operations.
  const pages = ['get /api/v1/schema', 'get /recovery', 'get /recovery.js'];
  const documented = new Set(Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`)));
  expect([...served].filter((route) => !pages.includes(route) && !documented.has(route))).toEqual([]);
  expect([...documented].filter((route) => !served.has(route))).toEqual([]);
  expect(document).toMatchObject({ openapi: '3.1.0' });
});

/**
 * Every free-text input has a length limit: each string a request can carry (body, query,
 * path) declares maxLength, unless it is an enum, a constant or a format with its own bound.
 */
it('limits the length of every string a request can carry', () => {
  const unbounded: string[] = [];
  const seen = new Set<object>();
  type Schema = { type?: string | string[]; maxLength?: number; enum?: unknown[]; const?: unknown; format?: string; $ref?: string; [key: string]: unknown };
  const resolve = (schema: Schema): Schema =>
    schema.$ref ? (document.components as { schemas: Record<string, Schema> }).schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
  const visit = (raw: Schema | undefined, where: string) => {
    if (!raw || typeof raw !== 'object') return;
    const schema = resolve(raw);
    if (seen.has(schema)) return;
    seen.add(schema);
    const types = [schema.type].flat();
    if (types.includes('string') && schema.maxLength === undefined && schema.enum === undefined && schema.const === undefined && !['date-time', 'email', 'uuid', 'uri', 'ip'].includes(schema.format ?? '')) {
      unbounded.push(where);
    }
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties') for (const [name, property] of Object.entries(value as Record<string, Schema>)) visit(property, `${where}.${name}`);
      else if (['items', 'additionalProperties', 'propertyNames'].includes(key)) visit(value as Schema, `${where}[]`);
      else if (['anyOf', 'oneOf', 'allOf'].includes(key)) for (const option of value as Schema[]) visit(option, where);
    }
  };
  type Operation = { parameters?: { name: string; in: string; schema: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> } };
  for (const [path, methods] of Object.entries(document.paths as unknown as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(methods)) {
      for (const parameter of operation.parameters ?? []) visit(parameter.schema, `${method} ${path} ${parameter.in}.${parameter.name}`);
      visit(operation.requestBody?.content['application/json']?.schema, `${method} ${path} body`);
      seen.clear();
    }
  }
  expect(unbounded).toEqual([]);
});

it('answers as documented, for successes and errors alike', async () => {
  const { host } = await createBrand(stack.db);
  const victim = await createUser(stack.db, { password: 'documented-password' });
  const check = async (method: 'get' | 'post' | 'patch' | 'delete', path: string, url: string, body?: object, key: string | null = admin, extra: Record<string, string> = {}) => {
    let request = stack.http[method](url).set('Host', host).set(extra);
    if (key) request = request.set(bearer(key));
    const response = body ? await request.send(body) : await request;
    expectDocumented(response, method, path);
    return response;
  };

  await check('get', '/healthz', '/healthz');
  await check('get', '/readyz', '/readyz');
  await check('post', '/api/v1/auth/login', '/api/v1/auth/login', { username: victim.username, password: 'documented-password' }, null);
  await check('post', '/api/v1/auth/login', '/api/v1/auth/login', { username: victim.username, password: 'wrong' }, null);
  await check('get', '/api/v1/me', '/api/v1/me');
  await check('get', '/api/v1/me', '/api/v1/me', undefined, null);
  await check('get', '/api/v1/users', '/api/v1/users?limit=2');
  await check('get', '/api/v1/users', '/api/v1/users?limit=0');
  await check('post', '/api/v1/users', '/api/v1/users', { username: uniqueName(), email: 'someone@example.test' });
  await check('get', '/api/v1/users/{id}', `/api/v1/users/${victim.id}`);
  await check('get', '/api/v1/users/{id}', '/api/v1/users/00000000-0000-4000-8000-000000000000');
  await check('get', '/api/v1/users/{id}/sessions', `/api/v1/users/${victim.id}/sessions`);
  await check('get', '/api/v1/users/{id}/tokens', `/api/v1/users/${victim.id}/tokens`);
  await check('post', '/api/v1/tokens', '/api/v1/tokens', { identifier: uniqueName('doc'), intent: 'verification', userId: victim.id });
  const created = await check('post', '/api/v1/lockdowns', '/api/v1/lockdowns', { user: victim.id, reason: 'documented' });
  await check('post', '/api/v1/lockdowns', '/api/v1/lockdowns', { users: [] });
  await waitForLockdown(stack, admin, created.body.id);
  await check('get', '/api/v1/lockdowns/{id}', `/api/v1/lockdowns/${created.body.id}`);
  await check('get', '/api/v1/lockdowns', '/api/v1/lockdowns?limit=3');
  await check('get', '/api/v1/lockdowns/{id}/results', `/api/v1/lockdowns/${created.body.id}/results`);
  await check('get', '/api/v1/lockdowns/{id}/history', `/api/v1/lockdowns/${created.body.id}/history?children=true`);
  await check('post', '/api/v1/lockdowns/{id}/cancel', `/api/v1/lockdowns/${created.body.id}/cancel`);
  await check('post', '/api/v1/users/{id}/recovery_link', `/api/v1/users/${victim.id}/recovery_link`);
  await check('post', '/api/v1/users/{id}/activate', `/api/v1/users/${victim.id}/activate`);
  const waiting = await check('post', '/api/v1/lockdowns', '/api/v1/lockdowns', { user: victim.id });
  await check('post', '/api/v1/lockdowns/{id}/stage', `/api/v1/lockdowns/${waiting.body.id}/stage`, { reason: '' });
  await check('post', '/api/v1/lockdowns/{id}/stage', `/api/v1/lockdowns/${waiting.body.id}/stage`, { reason: 'documented prompt' });
  await check('get', '/api/v1/events', '/api/v1/events?limit=5');
  await check('get', '/api/v1/events', '/api/v1/events?cursor=garbage');
  await check('get', '/api/v1/brands', '/api/v1/brands');
  await check('get', '/api/v1/flows', '/api/v1/flows');
  await check('get', '/api/v1/flows/{slug}', '/api/v1/flows/default-account-lockdown');
  await check('get', '/api/v1/flows/{slug}/bindings', '/api/v1/flows/default-account-lockdown/bindings');
  await check('get', '/api/v1/stages/prompt', '/api/v1/stages/prompt');
  await check('get', '/api/v1/stages/account_lockdown', '/api/v1/stages/account_lockdown');
  await check('get', '/api/v1/flows/{slug}/executor', '/api/v1/flows/default-account-lockdown-complete/executor', undefined, null);
});
