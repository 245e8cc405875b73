/** Workflow ids are derived from the lockdown, so every start is deterministic and deduplicated. */
export function lockdownWorkflowId(lockdownId: string): string {
  return `lockdown-${lockdownId}`;
}

export function userLockdownWorkflowId(lockdownId: string, userId: string): string {
  return `lockdown-${lockdownId}-user-${userId}`;
}

/** One notification workflow per audit event. */
export function notificationWorkflowId(eventId: string): string {
  return `notify-${eventId}`;
}

/** One security event (CAEP SET) delivery workflow per audit event. */
export function securityEventsWorkflowId(eventId: string): string {
  return `ssf-${eventId}`;
}

/** One user's lockdown on every downstream connector (the lockdown's own run), started by the per-user run. */
export function downstreamWorkflowId(lockdownId: string, userId: string): string {
  return `lockdown-${lockdownId}-user-${userId}-downstream`;
}

/** One connector run again for a lockdown's failed users: `run` numbers the retries of that connector (2, 3, …). */
export function downstreamRetryWorkflowId(lockdownId: string, connectorId: string, run: number): string {
  return `lockdown-${lockdownId}-downstream-${connectorId}-run-${run}`;
}
