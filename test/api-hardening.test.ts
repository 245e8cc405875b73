import { connect } from 'node:net';
import { MAX_JSON_DEPTH } from '../api/http/input';
import { createBrand } from './support/flows';
import { adminSession, bearer, createUser, startStack, uniqueName, type Stack } from './support/stack';

let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

describe('hostile or malformed requests get a clear 4xx in the error envelope, never a 5xx', () => {
  it('when the body is too large, then 413', async () => {
    const response = await stack.http.post('/api/v1/lockdowns').set(bearer(admin)).send({ reason: 'x'.repeat(1_100_000) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });

  it('when the URL is too long, then 414', async () => {
    const response = await stack.http.get(`/api/v1/users?search=${'a'.repeat(9_000)}`).set(bearer(admin));
    expect(response.status).toBe(414);
    expect(response.body.error.code).toBe('uri_too_long');
  });

  it('when the route does not exist, then 404 in the envelope', async () => {
    const response = await stack.http.get('/api/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: 'not_found', message: 'No route for GET /api/v1/nothing-here.' } });
  });

  it('when ids, cursors and queries are garbage, then 4xx', async () => {
    const paths = [
      '/api/v1/lockdowns/%27%3B--',
      '/api/v1/lockdowns/not-a-uuid/results',
      '/api/v1/lockdowns?cursor=%7B%7D',
      '/api/v1/lockdowns?status=exploded',
      '/api/v1/users/zzz/tokens',
      '/api/v1/events?from=yesterday',
      '/api/v1/flows/..%2F..%2Fetc/executor',
    ];
    for (const path of paths) {
      const response = await stack.http.get(path).set(bearer(admin));
      expect([400, 404]).toContain(response.status);
      expect(response.body.error.code).toEqual(expect.any(String));
    }
    const forged = (position: object) => Buffer.from(JSON.stringify(position)).toString('base64url');
    const lockdown = await stack.db.lockdown.findFirst({ select: { id: true } });
    const forgedPages = [
      `/api/v1/events?cursor=${forged({ createdAt: 'x', id: 'y' })}`,
      `/api/v1/lockdowns?cursor=${forged({ createdAt: '2026-01-01T00:00:00Z', id: 'not-a-uuid' })}`,
      `/api/v1/users?cursor=${forged({ username: { gt: 'a' } })}`,
      `/api/v1/lockdowns/${lockdown?.id ?? '00000000-0000-4000-8000-000000000000'}/results?cursor=${forged({ position: 'NaN' })}`,
    ];
    for (const path of forgedPages) {
      const response = await stack.http.get(path).set(bearer(admin));
      expect([400, 404]).toContain(response.status);
    }
    const badAuth = await stack.http.get('/api/v1/me').set('Authorization', 'Basic !!!not-base64');
    expect(badAuth.status).toBe(401);
  });

  it('when the credential-ending routes get garbage ids, then 4xx and nothing is deleted', async () => {
    const me = (await stack.http.get('/api/v1/me').set(bearer(admin))).body;
    const sessions = await stack.db.session.count({ where: { userId: me.id } });
    const paths = [
      '/api/v1/tokens/%27%3B--',
      '/api/v1/tokens/not-a-uuid',
      `/api/v1/tokens/${'a'.repeat(101)}`,
      `/api/v1/users/${me.id}/sessions/%27%3B--`,
      `/api/v1/users/${me.id}/sessions/00000000-0000-4000-8000-000000000000`,
      '/api/v1/users/zzz/sessions/zzz',
      `/api/v1/users/${me.id}/sessions/a%00b`,
    ];
    for (const path of paths) {
      const response = await stack.http.delete(path).set(bearer(admin));
      expect([400, 404]).toContain(response.status);
      expect(response.body.error.code).toEqual(expect.any(String));
    }
    expect(await stack.db.session.count({ where: { userId: me.id } })).toBe(sessions);
  });

  it('answers with security headers and a request id', async () => {
    const response = await stack.http.get('/healthz').set('X-Request-Id', 'trace-me-123');
    expect(response.headers['x-request-id']).toBe('trace-me-123');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('serves Prometheus metrics and the interactive docs', async () => {
    await stack.http.get('/api/v1/me').set(bearer(admin));
    const metrics = await stack.http.get('/metrics');
    expect(metrics.text).toContain('lockdown_http_request_duration_seconds_bucket');
    expect(metrics.text).toContain('route="/api/v1/me"');
    const docs = await stack.http.get('/api/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
  });
});

/** One raw HTTP exchange, for requests no HTTP client will send (oversized or control-byte headers). */
function rawRequest(baseUrl: string, request: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** JSON text nested `depth` arrays deep under `field` (as text: JSON.stringify itself would overflow). */
const nestedJson = (field: string, depth: number) => `{"${field}":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('strings PostgreSQL cannot store and deeply nested JSON are refused at the edge with a 400 naming the field', () => {
  const NUL = 'a\u0000b';
  const LONE_SURROGATE = 'a\ud800b';

  it('when a login username holds NUL or a lone surrogate, then 400 on body.username, even without credentials', async () => {
    for (const username of [NUL, LONE_SURROGATE]) {
      const response = await stack.http.post('/api/v1/auth/login').send({ username, password: 'whatever-it-is' });
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([expect.objectContaining({ field: 'body.username', code: 'invalid_characters' })]);
    }
  });

  it('when query strings, path parameters and body fields hold NUL, then 400 naming each one', async () => {
    const cases: [string, string, object | undefined, string][] = [
      ['get', '/api/v1/users?search=a%00b', undefined, 'query.search'],
      ['get', '/api/v1/events?actor=a%00b', undefined, 'query.actor'],
      ['get', '/api/v1/events?affectedUser=%00', undefined, 'query.affectedUser'],
      ['get', '/api/v1/lockdowns?actor=a%00b', undefined, 'query.actor'],
      ['get', '/api/v1/flows/a%00b', undefined, 'params.slug'],
      ['get', '/api/v1/flows/%00/executor', undefined, 'params.slug'],
      ['post', '/api/v1/lockdowns', { user: '00000000-0000-4000-8000-000000000000', reason: NUL }, 'body.reason'],
      ['post', '/api/v1/users', { username: uniqueName(), name: NUL }, 'body.name'],
      ['post', '/api/v1/groups', { name: NUL }, 'body.name'],
      ['post', '/api/v1/flows', { slug: uniqueName('flow'), name: 'n', title: LONE_SURROGATE }, 'body.title'],
      ['post', '/api/v1/stages/prompt', { name: uniqueName('s'), fields: [{ fieldKey: 'f', type: 'text', label: NUL }] }, 'body.fields.0.label'],
    ];
    for (const [method, url, body, field] of cases) {
      const request = method === 'get' ? stack.http.get(url) : stack.http.post(url).send(body);
      const response = await request.set(bearer(admin));
      expect({ url, field, status: response.status }).toEqual({ url, field, status: 400 });
      expect(response.body.error.details[0].field).toBe(field);
    }
  });

  it('when a prompt answer holds NUL, then 400 on body.reason and the lockdown keeps waiting, still answerable', async () => {
    const { host } = await createBrand(stack.db);
    const victim = await createUser(stack.db);
    const started = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).send({ user: victim.id });
    expect(started.body.status).toBe('awaiting_input');
    const refused = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: NUL });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].field).toBe('body.reason');
    const answered = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/stage`).set(bearer(admin)).send({ reason: 'a clean reason' });
    expect(answered.status).toBe(200);
    expect(answered.body.status).not.toBe('awaiting_input');
  });

  it('when an object key holds NUL, then 400 naming it', async () => {
    const response = await stack.http.post('/api/v1/lockdowns/00000000-0000-4000-8000-000000000000/stage').set(bearer(admin)).send({ 'bad\u0000key': 'x' });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0]).toMatchObject({ field: 'body.bad\\u0000key', code: 'invalid_characters' });
  });

  it(`when JSON is nested deeper than ${MAX_JSON_DEPTH} levels (up to thousands), then 400 naming where, for every route`, async () => {
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 100_000]) {
      const answer = await stack.http
        .post('/api/v1/lockdowns/00000000-0000-4000-8000-000000000000/stage')
        .set(bearer(admin))
        .type('json')
        .send(nestedJson('reason', depth));
      expect(answer.status).toBe(400);
      expect(answer.body.error.details[0]).toMatchObject({ code: 'too_deep', field: expect.stringMatching(/^body\.reason(\.0)*$/) });
      const login = await stack.http.post('/api/v1/auth/login').type('json').send(nestedJson('username', depth));
      expect(login.status).toBe(400);
    }
  });

  it('when a free-text field is longer than its limit, then 400 naming it', async () => {
    const response = await stack.http.post('/api/v1/lockdowns/00000000-0000-4000-8000-000000000000/stage').set(bearer(admin)).send({ reason: 'x'.repeat(20_001) });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].field).toBe('body.reason');
  });

  it('when HTTP Basic carries a username with NUL, then 401, not a database error', async () => {
    const response = await stack.http.get('/api/v1/me').set('Authorization', `Basic ${Buffer.from('ad\u0000min:secret').toString('base64')}`);
    expect(response.status).toBe(401);
  });
});

describe('errors never reveal internals', () => {
  it('when a path parameter is malformed percent-encoding, then 400 with a fixed message', async () => {
    const response = await stack.http.get('/api/v1/flows/%E0%A4%A').set(bearer(admin));
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({ code: 'invalid_request', message: expect.not.stringContaining('%E0') });
  });

  it('when headers are over 16 KB or hold control bytes, then Node’s own 431/400 come in the error envelope', async () => {
    const huge = await rawRequest(stack.baseUrl, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'headers_too_large', message: expect.any(String) } });
    const control = await rawRequest(stack.baseUrl, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n');
    expect(control).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(control.slice(control.indexOf('\r\n\r\n') + 4)).error.code).toBe('malformed_request');
  });
});

describe('a stage changed while it is deleted', () => {
  it('when PATCH races DELETE on the same stage, then each answers 200/204 or 404, never 500', async () => {
    const statuses = new Set<number>();
    for (let round = 0; round < 15; round += 1) {
      const created = await stack.http.post('/api/v1/stages/prompt').set(bearer(admin)).send({ name: uniqueName('race'), fields: [{ fieldKey: 'reason', type: 'text' }] });
      const lockdownStage = await stack.http.post('/api/v1/stages/account_lockdown').set(bearer(admin)).send({ name: uniqueName('race') });
      const answers = await Promise.all([
        stack.http.patch(`/api/v1/stages/prompt/${created.body.id}`).set(bearer(admin)).send({ name: uniqueName('renamed'), fields: [{ fieldKey: 'other', type: 'text' }] }),
        stack.http.delete(`/api/v1/stages/prompt/${created.body.id}`).set(bearer(admin)),
        stack.http.delete(`/api/v1/stages/prompt/${created.body.id}`).set(bearer(admin)),
        stack.http.patch(`/api/v1/stages/account_lockdown/${lockdownStage.body.id}`).set(bearer(admin)).send({ name: uniqueName('renamed'), deleteSessions: false }),
        stack.http.delete(`/api/v1/stages/account_lockdown/${lockdownStage.body.id}`).set(bearer(admin)),
      ]);
      for (const answer of answers) statuses.add(answer.status);
    }
    expect([...statuses].filter((status) => ![200, 204, 404].includes(status))).toEqual([]);
  });
});
