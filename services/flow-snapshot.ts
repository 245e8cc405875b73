import { invalid } from '../domain/errors';
import { actionsOf } from '../domain/lockdown-actions';
import { bindingApplies, stricterAuthentication, unknownStageKind } from '../domain/stages';
import type { Prisma } from '../generated/prisma/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { FlowAuthentication, FlowSnapshot, PromptFieldSnapshot, StageSnapshot } from '../domain/stages';

export const NO_LOCKDOWN_FLOW_MESSAGE = 'No lockdown flow configured.';

/** A prompt field as flows carry it (without database ids). */
export function promptFieldOf(field: PromptFieldSnapshot): PromptFieldSnapshot {
  const { fieldKey, label, type, required, order, placeholder, subText, initialValue } = field;
  return { fieldKey, label, type, required, order, placeholder, subText, initialValue };
}

const lockdownFlowInclude = {
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
} as const;

type BrandWithFlow = Prisma.BrandGetPayload<{ include: typeof lockdownFlowInclude }>;
export type ConfiguredLockdownFlow = { snapshot: FlowSnapshot; authentication: FlowAuthentication };

/**
 * The brand serving a request. The default brand, unless LOCKDOWN_BRAND_FROM_HOST is on and
 * the request's host (as Express reads it: the Host header, or X-Forwarded-Host from a
 * TRUST_PROXY proxy) is a brand's domain. A host can never name a brand otherwise: the
 * caller picks the Host header.
 */
async function brandServing(db: Db, config: Pick<Config, 'LOCKDOWN_BRAND_FROM_HOST'>, host: string | undefined) {
  const defaultBrand = await db.brand.findFirst({ where: { isDefault: true }, include: lockdownFlowInclude });
  if (!config.LOCKDOWN_BRAND_FROM_HOST || !host) return { brand: defaultBrand, defaultBrand };
  const byDomain = await db.brand.findUnique({ where: { domain: host.toLowerCase() }, include: lockdownFlowInclude });
  return { brand: byDomain ?? defaultBrand, defaultBrand };
}

/** The brand's lockdown flow, conditions evaluated for this run; null when it has none. */
function configuredFlow(brand: BrandWithFlow | null, selfService: boolean): ConfiguredLockdownFlow | null {
  const flow = brand?.flowLockdown;
  if (!flow) return null;
  const stages: StageSnapshot[] = [];
  for (const binding of flow.bindings) {
    if (!bindingApplies(binding.condition, selfService)) continue;
    stages.push(stageSnapshotOf(binding.stage));
  }
  return { snapshot: { slug: flow.slug, title: flow.title, stages }, authentication: flow.authentication };
}

/**
 * Another brand's flow never weakens the default brand's: the lockdown needs the stricter
 * authentication of the two, and approval when either requires it. (Which actions run stays
 * the brand's own choice.)
 */
function noWeakerThan(flow: ConfiguredLockdownFlow, floor: ConfiguredLockdownFlow | null): ConfiguredLockdownFlow {
  if (!floor) return flow;
  const floorRequiresApproval = floor.snapshot.stages.some((stage) => stage.kind === 'account_lockdown' && stage.requireApproval === true);
  return {
    authentication: stricterAuthentication(flow.authentication, floor.authentication),
    snapshot: {
      ...flow.snapshot,
      stages: flow.snapshot.stages.map((stage) =>
        stage.kind === 'account_lockdown' && floorRequiresApproval ? { ...stage, requireApproval: true } : stage,
      ),
    },
  };
}

/**
 * The lockdown flow of the brand serving the request, as the workflow will run it: stages in
 * binding order, conditions evaluated for this run, with the flow's authentication
 * requirement (checked by the caller before it starts anything) — never weaker than the
 * default brand's. Null when the brand has no lockdown flow.
 */
export async function snapshotLockdownFlow(
  db: Db,
  selfService: boolean,
  host: string | undefined,
  config: Pick<Config, 'LOCKDOWN_BRAND_FROM_HOST'>,
): Promise<ConfiguredLockdownFlow | null> {
  const { brand, defaultBrand } = await brandServing(db, config, host);
  const flow = configuredFlow(brand, selfService);
  if (!flow || !brand || brand.id === defaultBrand?.id) return flow;
  return noWeakerThan(flow, configuredFlow(defaultBrand, selfService));
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
