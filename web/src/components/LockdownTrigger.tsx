import { Alert } from '@patternfly/react-core';
import type { Lockdown } from '../types';
import { formatTime } from './Labels';

/** The short name of a CAEP/RISC event type URI (…/event-type/credential-change → credential-change). */
const eventName = (uri: string) => uri.split('/').pop() ?? uri;

/**
 * What started a lockdown nobody asked for (the API's `trigger`): a password locked after
 * repeated failed logins, or a Shared Signal from a trusted transmitter. Nothing for a
 * lockdown a person requested.
 */
export function LockdownTriggerNotice({ lockdown }: { lockdown: Pick<Lockdown, 'trigger'> }) {
  const trigger = lockdown.trigger;
  if (!trigger) return null;
  switch (trigger.kind) {
    case 'password_lockout':
      return (
        <Alert variant="info" isInline title="Started automatically: password lockout" data-testid="lockdown-trigger">
          <p>
            The user’s password locked after {trigger.failedAttempts} consecutive failed logins ({formatTime(trigger.lockedAt)}), and the brand’s password lockout policy
            escalates to a lockdown. The system account requested it; approval rules apply as to anyone.
          </p>
        </Alert>
      );
    case 'shared_signal':
      return (
        <Alert variant="info" isInline title={`Started automatically: a Shared Signal from ${trigger.transmitter.name}`} data-testid="lockdown-trigger">
          <p>
            A Security Event Token from the trusted transmitter <strong>{trigger.transmitter.name}</strong> ({trigger.issuer}), verified against its keys:{' '}
            {trigger.events.map(eventName).join(', ')}.
          </p>
          <p>
            SET <span className="mono">{trigger.jti}</span>
            {trigger.txn && (
              <>
                {' '}
                in transaction <span className="mono">{trigger.txn}</span>
              </>
            )}
            .
          </p>
        </Alert>
      );
    default:
      return null;
  }
}
