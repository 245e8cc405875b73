import type { ActorRef } from '../domain/stages';
import type { ConfigurationModel, EventAction } from '../domain/events';
import type { Prisma } from '../generated/prisma/client';

/**
 * Administrative changes in the audit log. A service writes the event with `tx` — the
 * transaction that makes the change — so there is no change without its event and no event
 * for a change that did not happen. Contexts carry ids and names, never a secret's value.
 */
export interface AuditMeta {
  clientIp: string | null;
}

type Tx = Pick<Prisma.TransactionClient, 'event'>;

/** What an auditor sees in place of a secret's value. */
export const MASKED = '(secret)';

export function writeAuditEvent(tx: Tx, action: EventAction, actor: ActorRef | null, meta: AuditMeta, context: Record<string, unknown>, lockdownId?: string) {
  return tx.event.create({
    data: {
      action,
      actorId: actor?.id ?? null,
      actorSnapshot: actor ? { id: actor.id, username: actor.username } : { id: null, username: 'system' },
      clientIp: meta.clientIp,
      context: context as Prisma.InputJsonObject,
      ...(lockdownId ? { lockdownId } : {}),
    },
  });
}

export type FieldDiff = Record<string, { from: unknown; to: unknown }>;

/**
 * The fields that differ between two states of an object (`null`: it did not exist), each
 * as `{ from, to }`. Fields named in `secrets` show only whether they were set.
 */
export function fieldDiff<T extends object>(before: T | null, after: T | null, secrets: readonly (keyof T)[] = []): FieldDiff {
  const diff: FieldDiff = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]) as Set<keyof T & string>;
  for (const key of keys) {
    const from = before ? comparable(before[key]) : null;
    const to = after ? comparable(after[key]) : null;
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    diff[key] = secrets.includes(key) ? { from: from === null ? null : MASKED, to: to === null ? null : MASKED } : { from, to };
  }
  return diff;
}

function comparable(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * A configuration object created, updated or deleted (`model_created` / `model_updated` /
 * `model_deleted`), with the fields that changed. An update that changed nothing writes nothing.
 */
export async function writeConfigurationEvent(
  tx: Tx,
  change: 'created' | 'updated' | 'deleted',
  object: { model: ConfigurationModel; id: string; name: string },
  diff: FieldDiff,
  actor: ActorRef,
  meta: AuditMeta,
) {
  if (change === 'updated' && Object.keys(diff).length === 0) return null;
  return writeAuditEvent(tx, `model_${change}`, actor, meta, { model: object.model, model_id: object.id, name: object.name, diff });
}
