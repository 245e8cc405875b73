import { failureOfStatus, isRetryableStatus, retryAfterMs } from '../../connectors/failures';

describe('which downstream answers are worth retrying', () => {
  it('when the server says the request is wrong (4xx), then never, except a timeout (408) and too many requests (429)', () => {
    expect([400, 401, 403, 404, 405, 409, 422].filter(isRetryableStatus)).toEqual([]);
    expect([408, 429].every(isRetryableStatus)).toBe(true);
  });
  it('when the server is in trouble (5xx), then yes', () => {
    expect([500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
  });
  it('when the answer is a redirect, then no: the URL is wrong', () => {
    expect(isRetryableStatus(302)).toBe(false);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  it('when it gives seconds, then that many seconds', () => {
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
  });
  it('when it gives an HTTP date, then the time until then, never negative', () => {
    expect(retryAfterMs('Fri, 04 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Fri, 04 Dec 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('when it is missing or unreadable, then no delay is claimed', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
  });
  it('when a 429 or 503 carries it, then the failure carries the delay; a 4xx ignores it', () => {
    expect(failureOfStatus(429, 'r', '3')).toEqual({ reason: 'r', retryable: true, retryAfterMs: 3000 });
    expect(failureOfStatus(503, 'r', null)).toEqual({ reason: 'r', retryable: true });
    expect(failureOfStatus(403, 'r', '3')).toEqual({ reason: 'r', retryable: false });
  });
});
