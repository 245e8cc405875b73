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
