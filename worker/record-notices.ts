import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptors, Next } from '@temporalio/worker';
import type { RecordNotices } from '../lib/record-notices';

/** The activities that write a lockdown's status to its record. */
const STATUS_WRITERS = new Set(['recordLockdownState', 'recordLockdownFailure']);

/**
 * Tells the requests of this process that wait on a lockdown's record (services/lockdown-start.ts
 * `waitFor`) that one of its activities just wrote the status: the API answers as soon as the
 * first status is recorded, not at its next poll of PostgreSQL.
 */
export function recordNoticesInterceptor(notices: RecordNotices) {
  return (ctx: Context): ActivityInterceptors => ({ inbound: new NoticeAfterStatusWrite(ctx, notices) });
}

class NoticeAfterStatusWrite implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: Context,
    private readonly notices: RecordNotices,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const result = await next(input);
    const lockdownId = (input.args[0] as { lockdownId?: unknown } | undefined)?.lockdownId;
    if (STATUS_WRITERS.has(this.ctx.info.activityType) && typeof lockdownId === 'string') this.notices.notify(lockdownId);
    return result;
  }
}
