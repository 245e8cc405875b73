import type { Prisma } from '../generated/prisma/client';

/** A lockdown's audit event as an activity writes it; `actor` null: the system (a timer). */
export interface LockdownEventOnce {
  action: string;
  actor: { id: string | null; username: string } | null;
  clientIp: string | null;
  lockdownId: string;
  workflowId: string | null;
  dedupKey: string;
  context: Prisma.InputJsonObject;
}

/**
 * Writes a lockdown's audit event at most once: its dedup key is unique, so a retried activity
 * writes nothing more and reads the event the first attempt wrote (its context, and so its
 * alerts, stay the first one's). `created`: this call wrote it.
 */
export async function writeEventOnce(db: Pick<Prisma.TransactionClient, 'event'>, event: LockdownEventOnce) {
  const { count } = await db.event.createMany({
    skipDuplicates: true,
    data: {
      action: event.action,
      actorId: event.actor?.id ?? null,
      actorSnapshot: event.actor ? { id: event.actor.id, username: event.actor.username } : { id: null, username: 'system' },
      clientIp: event.clientIp,
      lockdownId: event.lockdownId,
      workflowId: event.workflowId,
      dedupKey: event.dedupKey,
      context: event.context,
    },
  });
  const written = await db.event.findUniqueOrThrow({ where: { dedupKey: event.dedupKey }, select: { id: true, action: true, context: true } });
  return { ...written, created: count === 1 };
}
