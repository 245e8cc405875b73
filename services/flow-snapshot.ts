import type { Db } from '../lib/db';
import type { FlowSnapshot, LockdownActions, PromptFieldSnapshot, StageSnapshot } from '../workflows/types';

export const NO_LOCKDOWN_FLOW_MESSAGE = 'No lockdown flow configured.';

type Condition = 'always' | 'admin_only' | 'self_service_only';

/** Whether a stage binding applies to a run — decided here only. */
export function bindingApplies(condition: Condition, selfService: boolean): boolean {
  if (condition === 'admin_only') return !selfService;
  if (condition === 'self_service_only') return selfService;
  return true;
}

/** A prompt field as flows carry it (without database ids). */
export function promptFieldOf(field: PromptFieldSnapshot): PromptFieldSnapshot {
  const { fieldKey, label, type, required, order, placeholder, subText, initialValue } = field;
  return { fieldKey, label, type, required, order, placeholder, subText, initialValue };
}

/** The four switchable actions of an Account Lockdown stage. */
export function actionsOf(config: LockdownActions): LockdownActions {
  const { deactivateUser, setUnusablePassword, deleteSessions, revokeTokens } = config;
  return { deactivateUser, setUnusablePassword, deleteSessions, revokeTokens };
}

/** The brand serving a request: the one whose domain is the request's host, else the default brand. */
export async function brandFor(db: Db, host: string | undefined) {
  const byDomain = host ? await db.brand.findUnique({ where: { domain: host.toLowerCase() }, select: { id: true } }) : null;
  return byDomain ?? (await db.brand.findFirst({ where: { isDefault: true }, select: { id: true } }));
}

/**
 * The brand's lockdown flow as the workflow will run it: stages in binding order,
 * conditions evaluated for this run. Null when the brand has no lockdown flow.
 */
export async function snapshotLockdownFlow(db: Db, selfService: boolean, host?: string): Promise<FlowSnapshot | null> {
  const brandRef = await brandFor(db, host);
  if (!brandRef) return null;
  const brand = await db.brand.findUnique({
    where: { id: brandRef.id },
    include: {
      flowLockdown: {
        include: {
          bindings: {
            orderBy: { order: 'asc' },
            include: {
              stage: {
                include: {
                  promptFields: { orderBy: { order: 'asc' } },
                  accountLockdown: { include: { completionFlow: { select: { slug: true } } } },
                },
              },
            },
          },
        },
      },
    },
  });
  const flow = brand?.flowLockdown;
  if (!flow) return null;
  const stages: StageSnapshot[] = [];
  for (const binding of flow.bindings) {
    if (!bindingApplies(binding.condition, selfService)) continue;
    const { stage } = binding;
    if (stage.kind === 'prompt') {
      stages.push({
        kind: 'prompt',
        name: stage.name,
        fields: stage.promptFields.map(promptFieldOf),
      });
    } else if (stage.accountLockdown) {
      const config = stage.accountLockdown;
      stages.push({
        kind: 'account_lockdown',
        name: stage.name,
        actions: actionsOf(config),
        selfServiceMessageTitle: config.selfServiceMessageTitle,
        selfServiceMessage: config.selfServiceMessage,
        completionFlowSlug: config.completionFlow?.slug ?? null,
      });
    }
  }
  return { slug: flow.slug, title: flow.title, stages };
}
