import { actionsOfKind, defaultActionsOf, downstreamRetryDelayMs, RETRY_AFTER_CAP_MS } from '../../domain/connectors';
import { failureOfOutbound } from '../../connectors/failures';
import { OUTBOUND_FAILURES } from '../../lib/outbound-http';

const retry = { initialIntervalMs: 1_000, maximumIntervalMs: 300_000, maximumAttempts: 15 };

describe('the spacing of a connector’s attempts', () => {
  it('when the server says nothing, then the delays double from the initial interval up to the maximum: 15 attempts over about 35 minutes', () => {
    const delays = Array.from({ length: retry.maximumAttempts - 1 }, (_, index) => downstreamRetryDelayMs(retry, index + 1));
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300, 300].map((seconds) => seconds * 1_000));
    expect(delays.reduce((sum, delay) => sum + delay, 0) / 60_000).toBeCloseTo(33.5, 1);
  });
  it('when the server gives Retry-After, then that delay, shorter or longer than the backoff, up to one hour', () => {
    expect(downstreamRetryDelayMs(retry, 9, 3_000)).toBe(3_000);
    expect(downstreamRetryDelayMs(retry, 1, 120_000)).toBe(120_000);
    expect(downstreamRetryDelayMs(retry, 1, 86_400_000)).toBe(RETRY_AFTER_CAP_MS);
  });
});

describe('the actions of a kind', () => {
  it('when actions are chosen, then they come back in the kind’s order; one the kind does not have is named', () => {
    expect(actionsOfKind('keycloak', ['revokeGrants', 'disable'])).toEqual({ actions: ['disable', 'revokeGrants'] });
    expect(actionsOfKind('scim', ['disable', 'endSessions'])).toEqual({ unknown: 'endSessions' });
  });
  it('when none are chosen, then every action but delete', () => {
    expect(defaultActionsOf('keycloak')).toEqual(['disable', 'endSessions', 'revokeGrants']);
    expect(defaultActionsOf('scim')).toEqual(['disable']);
  });
});

describe('a request that got no answer', () => {
  it('when the trouble can pass, then it is retried; an address refused, TLS or a non-HTTP answer is not', () => {
    const permanent = OUTBOUND_FAILURES.filter((failure) => !failureOfOutbound(failure, 'Keycloak', 10_000).retryable);
    expect(permanent).toEqual(['address not allowed', 'TLS error', 'not an HTTP answer']);
    expect(failureOfOutbound('timed out', 'Keycloak', 10_000).reason).toBe('Keycloak did not answer within 10000 ms.');
  });
});
