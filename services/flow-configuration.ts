import { denied, invalid, notFoundError } from '../domain/errors';
import { FLOW_SECURITY_FIELDS, type Actor } from '../domain/permissions';
import { changesSecuritySetting, flowAccess } from './authorization';
import { isStageKind, type BindingCondition, type FlowAuthentication, type StageKind } from '../domain/stages';
import { renderFields } from '../domain/templates';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { fieldDiff, writeConfigurationEvent } from './audit-log';
import {
  flowIdOfSlug,
  isBrandLockdownFlow,
  requireChangeAllowed,
  requireConfigurationAccess,
  type AuditMeta,
  type ConfigurationActor,
} from './configuration-guard';
import { conflictOnDuplicate } from './unique-violation';

/**
 * Brands, flows and their stage bindings, and the flow executor's read. Every change is
 * written with its `model_*` audit event in one transaction. Security settings — a brand's
 * lockdown flow, a flow's authentication, the bindings of a flow a brand locks down with, and
 * deleting such a flow — need a superuser (domain/permissions.ts); the rest change_user.
 */
export interface FlowFields {
  slug: string;
  name: string;
  title: string;
  designation: 'stage_configuration';
  authentication: FlowAuthentication;
}

export interface BindingRequest {
  stageId: string;
  order: number;
  condition: BindingCondition;
}

type FlowRow = FlowFields & { id: string };

const toFlow = (flow: FlowRow) => ({
  id: flow.id,
  slug: flow.slug,
  name: flow.name,
  title: flow.title,
  designation: flow.designation,
  authentication: flow.authentication,
});

const flowFieldsOf = ({ slug, name, title, designation, authentication }: FlowRow): FlowFields => ({ slug, name, title, designation, authentication });

const toBrand = (brand: { id: string; domain: string; isDefault: boolean; flowLockdown: { slug: string } | null }) => ({
  id: brand.id,
  domain: brand.domain,
  isDefault: brand.isDefault,
  flowLockdown: brand.flowLockdown?.slug ?? null,
});

type BindingRow = { id: string; order: number; condition: BindingCondition; stage: { id: string; name: string; kind: StageKind } };
const toBinding = (binding: BindingRow) => ({
  id: binding.id,
  order: binding.order,
  condition: binding.condition,
  stage: { id: binding.stage.id, name: binding.stage.name, kind: binding.stage.kind },
});
const bindingFieldsOf = (flowSlug: string, binding: BindingRow) => ({ flow: flowSlug, stage: binding.stage.name, order: binding.order, condition: binding.condition });

const list = <T>(items: T[]) => ({ items, nextCursor: null });

export function createFlowConfiguration(db: Db) {
  async function flowBySlug(slug: string): Promise<FlowRow> {
    const flow = await db.flow.findUnique({ where: { slug } });
    if (!flow) throw notFoundError('Flow');
    return flow;
  }

  return {
    async listBrands(actor: Actor) {
      await requireConfigurationAccess(db, actor);
      const brands = await db.brand.findMany({ orderBy: { domain: 'asc' }, include: { flowLockdown: { select: { slug: true } } } });
      return list(brands.map(toBrand));
    },

    /** Which flow a brand locks down with is a security setting: superusers only (unless it stays the same). */
    async setBrandLockdownFlow(actor: ConfigurationActor, brandId: string, flowSlug: string | null, meta: AuditMeta) {
      await requireConfigurationAccess(db, actor);
      const brand = isUuid(brandId) ? await db.brand.findUnique({ where: { id: brandId }, include: { flowLockdown: { select: { slug: true } } } }) : null;
      if (!brand) throw notFoundError('Brand');
      const flowLockdownId = flowSlug === null ? null : await flowIdOfSlug(db, flowSlug, 'body.flowLockdown');
      await requireChangeAllowed(db, actor, flowLockdownId !== brand.flowLockdownId);
      return db.$transaction(async (tx) => {
        const updated = await tx.brand.update({ where: { id: brand.id }, data: { flowLockdownId }, include: { flowLockdown: { select: { slug: true } } } });
        const diff = fieldDiff({ flowLockdown: brand.flowLockdown?.slug ?? null }, { flowLockdown: updated.flowLockdown?.slug ?? null });
        await writeConfigurationEvent(tx, 'updated', { model: 'brand', id: brand.id, name: brand.domain }, diff, actor, meta);
        return toBrand(updated);
      });
    },

    async listFlows(actor: Actor) {
      await requireConfigurationAccess(db, actor);
      return list((await db.flow.findMany({ orderBy: { slug: 'asc' } })).map(toFlow));
    },

    async getFlow(actor: Actor, slug: string) {
      await requireConfigurationAccess(db, actor);
      return toFlow(await flowBySlug(slug));
    },

    /** A new flow is used by nothing yet: change_user, whatever its authentication. */
    async createFlow(actor: ConfigurationActor, fields: FlowFields, meta: AuditMeta) {
      await requireConfigurationAccess(db, actor);
      return conflictOnDuplicate(
        db.$transaction(async (tx) => {
          const flow = await tx.flow.create({ data: fields });
          await writeConfigurationEvent(tx, 'created', { model: 'flow', id: flow.id, name: flow.slug }, fieldDiff(null, flowFieldsOf(flow)), actor, meta);
          return toFlow(flow);
        }),
        'A flow with this slug already exists.',
      );
    },

    /** A flow's authentication is a security setting; its name and title are not. */
    async updateFlow(actor: ConfigurationActor, slug: string, change: Partial<Pick<FlowFields, 'name' | 'title' | 'authentication'>>, meta: AuditMeta) {
      await requireConfigurationAccess(db, actor);
      const flow = await flowBySlug(slug);
      await requireChangeAllowed(db, actor, changesSecuritySetting(flow, change, FLOW_SECURITY_FIELDS));
      return db.$transaction(async (tx) => {
        const updated = await tx.flow.update({ where: { id: flow.id }, data: change });
        await writeConfigurationEvent(tx, 'updated', { model: 'flow', id: flow.id, name: flow.slug }, fieldDiff(flowFieldsOf(flow), flowFieldsOf(updated)), actor, meta);
        return toFlow(updated);
      });
    },

    /** Deleting a brand's lockdown flow leaves the brand without lockdowns: superusers only. */
    async deleteFlow(actor: ConfigurationActor, slug: string, meta: AuditMeta) {
      await requireConfigurationAccess(db, actor);
      const flow = await flowBySlug(slug);
      await requireChangeAllowed(db, actor, await isBrandLockdownFlow(db, flow.id));
      await db.$transaction(async (tx) => {
        await tx.flow.delete({ where: { id: flow.id } });
        await writeConfigurationEvent(tx, 'deleted', { model: 'flow', id: flow.id, name: flow.slug }, fieldDiff(flowFieldsOf(flow), null), actor, meta);
      });
    },

    async listBindings(actor: Actor, slug: string) {
      await requireConfigurationAccess(db, actor);
      const flow = await flowBySlug(slug);
      const bindings = await db.flowStageBinding.findMany({ where: { flowId: flow.id }, orderBy: { order: 'asc' }, include: { stage: true } });
      return list(bindings.map(toBinding));
    },

    /** Binding a stage into a brand's lockdown flow changes what lockdowns do: superusers only. */
    async bindStage(actor: ConfigurationActor, slug: string, request: BindingRequest, meta: AuditMeta) {
      await requireConfigurationAccess(db, actor);
      const flow = await flowBySlug(slug);
      const stage = isUuid(request.stageId) ? await db.stage.findUnique({ where: { id: request.stageId }, include: { accountLockdown: { select: { stageId: true } } } }) : null;
      if (!stage) throw invalid('Unknown stage.', [{ field: 'body.stageId', message: 'No stage with this id.' }]);
      // A kind this version cannot run is refused here, never silently skipped when a lockdown starts.
      if (!isStageKind(stage.kind)) throw invalid(`Stages of kind "${String(stage.kind)}" cannot run in a lockdown flow.`, [{ field: 'body.stageId', message: 'unsupported stage kind' }]);
      if (stage.kind === 'account_lockdown' && !stage.accountLockdown) throw invalid('This Account Lockdown stage has no configuration.', [{ field: 'body.stageId', message: 'stage without configuration' }]);
      await requireChangeAllowed(db, actor, await isBrandLockdownFlow(db, flow.id));
      return conflictOnDuplicate(
        db.$transaction(async (tx) => {
          const binding = await tx.flowStageBinding.create({ data: { flowId: flow.id, stageId: stage.id, order: request.order, condition: request.condition }, include: { stage: true } });
          const name = `${flow.slug} #${binding.order}`;
          await writeConfigurationEvent(tx, 'created', { model: 'flow_stage_binding', id: binding.id, name }, fieldDiff(null, bindingFieldsOf(flow.slug, binding)), actor, meta);
          return toBinding(binding);
        }),
        `The flow already has a stage at order ${request.order}.`,
      );
    },

    /** Removing a stage from a brand's lockdown flow changes what lockdowns do: superusers only. */
    async unbindStage(actor: ConfigurationActor, slug: string, bindingId: string, meta: AuditMeta) {
      await requireConfigurationAccess(db, actor);
      const flow = await flowBySlug(slug);
      const binding = isUuid(bindingId) ? await db.flowStageBinding.findFirst({ where: { id: bindingId, flowId: flow.id }, include: { stage: true } }) : null;
      if (!binding) throw notFoundError('Binding');
      await requireChangeAllowed(db, actor, await isBrandLockdownFlow(db, flow.id));
      await db.$transaction(async (tx) => {
        const { count } = await tx.flowStageBinding.deleteMany({ where: { id: binding.id, flowId: flow.id } });
        if (count === 0) throw notFoundError('Binding');
        const name = `${flow.slug} #${binding.order}`;
        await writeConfigurationEvent(tx, 'deleted', { model: 'flow_stage_binding', id: binding.id, name }, fieldDiff(bindingFieldsOf(flow.slug, binding), null), actor, meta);
      });
    },

    /**
     * The flow's first prompt, rendered, for callers its authentication setting allows: e.g.
     * the self-service completion page, which needs no session. `login` when the flow needs
     * one the caller did not bring (the route answers 401); a denial when it needs a superuser.
     */
    async executor(viewer: { id: string; username: string; name: string; email: string; isSuperuser: boolean } | null, slug: string) {
      const flow = await flowBySlug(slug);
      const access = flowAccess(viewer, flow.authentication);
      if (access === 'login') return { access: 'login' as const };
      if (access === 'forbidden') throw denied('This flow requires a superuser.');
      const binding = await db.flowStageBinding.findFirst({
        where: { flowId: flow.id, condition: 'always', stage: { kind: 'prompt' } },
        orderBy: { order: 'asc' },
        include: { stage: { include: { promptFields: { orderBy: { order: 'asc' } } } } },
      });
      const user = viewer ? { id: viewer.id, username: viewer.username, name: viewer.name, email: viewer.email } : { id: '', username: '', name: '', email: '' };
      const stage = binding
        ? {
            name: binding.stage.name,
            fields: await renderFields(binding.stage.promptFields, {
              lockdown_target_user: null,
              lockdown_target_users: [],
              lockdown_self_service: false,
              lockdown_results: [],
              lockdown_reason: null,
              user,
            }),
          }
        : null;
      return { access: 'ok' as const, executor: { flow: { slug: flow.slug, title: flow.title }, stage } };
    },
  };
}

export type FlowConfiguration = ReturnType<typeof createFlowConfiguration>;
