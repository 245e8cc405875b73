import type { Db } from '../../lib/db';
import { actionsWith, type LockdownActions } from '../../domain/lockdown-actions';
import { DEFAULT_COMPLETION_FLOW } from '../../prisma/seed';
import { uniqueName } from './stack';

/**
 * A brand of its own for a test, with a lockdown flow configured as the test needs.
 * Requests select it with their Host header, so tests running in parallel never share
 * (or change) the default brand's configuration.
 */
export interface BrandOptions {
  actions?: Partial<LockdownActions>;
  /** Slug of the completion flow; null for none. Defaults to the seeded completion flow. */
  completionFlow?: string | null;
  selfServiceMessageTitle?: string;
  selfServiceMessage?: string;
  /** Two-person approval for bulk lockdowns over LOCKDOWN_APPROVAL_THRESHOLD. */
  requireApproval?: boolean;
  /** false: the brand has no lockdown flow at all. */
  withFlow?: boolean;
}

export async function createBrand(db: Db, options: BrandOptions = {}): Promise<{ host: string; flowSlug: string | null }> {
  const host = `${uniqueName('brand')}.test`;
  if (options.withFlow === false) {
    await db.brand.create({ data: { domain: host } });
    return { host, flowSlug: null };
  }
  const slug = uniqueName('flow');
  const completionSlug = options.completionFlow === undefined ? DEFAULT_COMPLETION_FLOW : options.completionFlow;
  const completion = completionSlug ? await db.flow.findUniqueOrThrow({ where: { slug: completionSlug } }) : null;
  const prompt = await db.stage.create({
    data: {
      name: `${slug}-prompt`,
      kind: 'prompt',
      promptFields: {
        create: [
          { fieldKey: 'warning', label: 'Warning', type: 'alert_danger', order: 0, initialValue: 'Locking {{ lockdown_target_users | map: "username" | join: ", " }}' },
          { fieldKey: 'reason', label: 'Reason', type: 'text_area', order: 10, required: true },
        ],
      },
    },
  });
  const lockdown = await db.stage.create({
    data: {
      name: `${slug}-lockdown`,
      kind: 'account_lockdown',
      accountLockdown: {
        create: {
          ...actionsWith(options.actions),
          requireApproval: options.requireApproval ?? false,
          selfServiceMessageTitle: options.selfServiceMessageTitle ?? 'Your account has been locked',
          selfServiceMessage: options.selfServiceMessage ?? 'Contact your IT administrator or security team.',
          completionFlowId: completion?.id ?? null,
        },
      },
    },
  });
  const results = await db.stage.create({
    data: {
      name: `${slug}-results`,
      kind: 'prompt',
      promptFields: {
        create: [
          {
            fieldKey: 'results',
            label: 'Results',
            type: 'alert_info',
            initialValue: '{% for r in lockdown_results %}{% if r.success %}Successfully locked down {{ r.username }}{% else %}Failed to lock down {{ r.username }}: {{ r.error }}{% endif %};{% endfor %}',
          },
        ],
      },
    },
  });
  const flow = await db.flow.create({
    data: {
      slug,
      name: slug,
      title: 'Lockdown',
      bindings: {
        create: [
          { stageId: prompt.id, order: 0 },
          { stageId: lockdown.id, order: 10 },
          { stageId: results.id, order: 20, condition: 'admin_only' },
        ],
      },
    },
  });
  await db.brand.create({ data: { domain: host, flowLockdownId: flow.id } });
  return { host, flowSlug: slug };
}
