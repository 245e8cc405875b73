import { invalid } from '../domain/errors';
import { actionsOf } from '../domain/lockdown-actions';
import { bindingApplies, unknownStageKind } from '../domain/stages';
import type { Db } from '../lib/db';
import type { FlowAuthentication, FlowSnapshot, PromptFieldSnapshot, StageSnapshot } from '../domain/stages';

export const NO_LOCKDOWN_FLOW_MESSAGE = 'No lockdown flow configured.';

/** A prompt field as flows carry it (without database ids). */
export function promptFieldOf(field: PromptFieldSnapshot): PromptFieldSnapshot {
  const { fieldKey, label, type, required, order, placeholder, subText, initialValue } = field;
  return { fieldKey, label, type, required, order, placeholder, subText, initialValue };
}

/** The brand serving a request: the one whose domain is the request's host, else the default brand. */
export async function brandFor(db: Db, host: string | undefined) {
  const byDomain = host ? await db.brand.findUnique({ where: { domain: host.toLowerCase() }, select: { id: true } }) : null;
  return byDomain ?? (await db.brand.findFirst({ where: { isDefault: true }, select: { id: true } }));
}

/**
 * The brand's lockdown flow as the workflow will run it: stages in binding order,
 * conditions evaluated for this run, with the flow's authentication requirement (checked
 * by the caller before it starts anything). Null when the brand has no lockdown flow.
 */
export async function snapshotLockdownFlow(
  db: Db,
  selfService: boolean,
  host?: string,
): Promise<{ snapshot: FlowSnapshot; authentication: FlowAuthentication } | null> {
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
    stages.push(stageSnapshotOf(binding.stage));
  }
  return { snapshot: { slug: flow.slug, title: flow.title, stages }, authentication: flow.authentication };
}

type StageRow = {
  name: string;
  kind: StageSnapshot['kind'];
  promptFields: PromptFieldSnapshot[];
  accountLockdown: (Parameters<typeof actionsOf>[0] & { selfServiceMessageTitle: string; selfServiceMessage: string; completionFlow: { slug: string } | null; requireApproval: boolean }) | null;
};

/** One stage as the workflow runs it; every kind is handled (a new kind is a compile error here). */
function stageSnapshotOf(stage: StageRow): StageSnapshot {
  switch (stage.kind) {
    case 'prompt':
      return { kind: 'prompt', name: stage.name, fields: stage.promptFields.map(promptFieldOf) };
    case 'account_lockdown': {
      const config = stage.accountLockdown;
      // Created with its configuration in one write (api/routes/flows.ts): never silently dropped.
      if (!config) throw invalid(`The Account Lockdown stage "${stage.name}" has no configuration; fix the lockdown flow.`, undefined, 'flow_misconfigured');
      return {
        kind: 'account_lockdown',
        name: stage.name,
        actions: actionsOf(config),
        selfServiceMessageTitle: config.selfServiceMessageTitle,
        selfServiceMessage: config.selfServiceMessage,
        completionFlowSlug: config.completionFlow?.slug ?? null,
        requireApproval: config.requireApproval,
      };
    }
    default:
      return unknownStageKind(stage.kind);
  }
}
