import { adminSession, bearer, startStack, type Stack } from './support/stack';

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
