import type { Router } from 'express';
import { actionsOf } from '../../domain/lockdown-actions';
import { canConfigureFlows, flowAccess } from '../../domain/permissions';
import { DEFAULT_SELF_SERVICE_MESSAGE, DEFAULT_SELF_SERVICE_TITLE } from '../../domain/self-service';
import { isStageKind } from '../../domain/stages';
import { renderFields } from '../../domain/templates';
import { isUuid } from '../../lib/ids';
import { conflictOnDuplicate } from '../../services/unique-violation';
import { promptFieldOf } from '../../services/flow-snapshot';
import { authorize } from '../authorization';
import { badRequest, forbidden, notFound, unauthorized } from '../http/errors';
import type { AuthUser } from '../http/route';
import type { ApiDeps, Route } from '../app';
import {
  AccountLockdownStage,
  Binding,
  BindingParams,
  Brand,
  CreateAccountLockdownStageBody,
  CreateBindingBody,
  CreateFlowBody,
  CreatePromptStageBody,
  Flow,
  FlowExecutor,
  IdParams,
  PatchAccountLockdownStageBody,
  PatchBrandBody,
  PatchFlowBody,
  PatchPromptStageBody,
  PromptStage,
  SlugParams,
  page,
} from '../schemas';

/** Configuration of flows, stages and brands (change_user), and the flow executor read endpoint. */
export function flowRoutes(_router: Router, route: Route, { db }: ApiDeps) {
  const needsChangeUser = { 403: { description: 'change_user missing.' } };
  const configure = (user: AuthUser) => authorize(canConfigureFlows(db, user), 'Configuring flows needs the change_user permission.');
  const list = <T>(items: T[]) => ({ items, nextCursor: null });

  async function flowBySlug(slug: string) {
    const flow = await db.flow.findUnique({ where: { slug } });
    if (!flow) throw notFound('Flow');
    return flow;
  }
  async function flowIdOrNull(slug: string | null | undefined, field: string) {
    if (slug === null || slug === undefined) return slug;
    const flow = await db.flow.findUnique({ where: { slug }, select: { id: true } });
    if (!flow) throw badRequest(`No flow with slug "${slug}".`, [{ field, message: 'unknown flow' }]);
    return flow.id;
  }
  async function stageOfKind(id: string, kind: 'prompt' | 'account_lockdown') {
    const stage = isUuid(id)
      ? await db.stage.findFirst({
          where: { id, kind },
          include: { promptFields: { orderBy: { order: 'asc' } }, accountLockdown: { include: { completionFlow: { select: { slug: true } } } } },
        })
      : null;
    // A lockdown stage without its settings row is one being deleted right now.
    if (!stage || (kind === 'account_lockdown' && !stage.accountLockdown)) throw notFound(kind === 'prompt' ? 'Prompt stage' : 'Account lockdown stage');
    return stage;
  }
  type StageRow = Awaited<ReturnType<typeof stageOfKind>>;
  const toPromptStage = (stage: StageRow) => ({
    id: stage.id,
    name: stage.name,
    fields: stage.promptFields.map(promptFieldOf),
  });
  const toLockdownStage = (stage: StageRow) => {
    const config = stage.accountLockdown!;
    return {
      id: stage.id,
      name: stage.name,
      ...actionsOf(config),
      selfServiceMessageTitle: config.selfServiceMessageTitle,
      selfServiceMessage: config.selfServiceMessage,
      completionFlow: config.completionFlow?.slug ?? null,
      requireApproval: config.requireApproval,
    };
  };
  const toFlow = (flow: Awaited<ReturnType<typeof flowBySlug>>) => ({
    id: flow.id, slug: flow.slug, name: flow.name, title: flow.title, designation: flow.designation, authentication: flow.authentication,
  });

  // ── Brands ──
  route({
    method: 'get', path: '/api/v1/brands', tag: 'configuration', summary: 'Brands and their lockdown flow.', auth: 'required',
    responses: { 200: { description: 'Brands.', schema: page(Brand, 'BrandList') }, ...needsChangeUser },
    handler: async ({ auth }) => {
      await configure(auth.user);
      const brands = await db.brand.findMany({ orderBy: { domain: 'asc' }, include: { flowLockdown: { select: { slug: true } } } });
      return { status: 200, body: list(brands.map((brand) => ({ id: brand.id, domain: brand.domain, isDefault: brand.isDefault, flowLockdown: brand.flowLockdown?.slug ?? null }))) };
    },
  });
  route({
    method: 'patch', path: '/api/v1/brands/:id', tag: 'configuration', summary: 'Set (slug) or unset (null) the brand’s lockdown flow.', auth: 'required',
    params: IdParams, body: PatchBrandBody,
    responses: { 200: { description: 'The brand.', schema: Brand }, 404: { description: 'Unknown brand.' }, ...needsChangeUser },
    handler: async ({ auth, params, body, req }) => {
      await configure(auth.user);
      if (!isUuid(params.id) || !(await db.brand.findUnique({ where: { id: params.id } }))) throw notFound('Brand');
      const flowLockdownId = await flowIdOrNull(body.flowLockdown, 'body.flowLockdown');
      const brand = await db.brand.update({ where: { id: params.id }, data: { flowLockdownId }, include: { flowLockdown: { select: { slug: true } } } });
      req.log?.info({ brandId: brand.id, flow: body.flowLockdown, by: auth.user.id }, 'brand lockdown flow changed');
      return { status: 200, body: { id: brand.id, domain: brand.domain, isDefault: brand.isDefault, flowLockdown: brand.flowLockdown?.slug ?? null } };
    },
  });

  // ── Flows ──
  route({
    method: 'get', path: '/api/v1/flows', tag: 'configuration', summary: 'Flows.', auth: 'required',
    responses: { 200: { description: 'Flows.', schema: page(Flow, 'FlowList') }, ...needsChangeUser },
    handler: async ({ auth }) => {
      await configure(auth.user);
      return { status: 200, body: list((await db.flow.findMany({ orderBy: { slug: 'asc' } })).map(toFlow)) };
    },
  });
  route({
    method: 'post', path: '/api/v1/flows', tag: 'configuration', summary: 'Create a flow.', auth: 'required', body: CreateFlowBody,
    responses: { 201: { description: 'Created.', schema: Flow }, 409: { description: 'Slug taken.' }, ...needsChangeUser },
    handler: async ({ auth, body }) => {
      await configure(auth.user);
      const flow = await conflictOnDuplicate(db.flow.create({ data: body }), 'A flow with this slug already exists.');
      return { status: 201, body: toFlow(flow) };
    },
  });
  route({
    method: 'get', path: '/api/v1/flows/:slug', tag: 'configuration', summary: 'One flow.', auth: 'required', params: SlugParams,
    responses: { 200: { description: 'The flow.', schema: Flow }, 404: { description: 'Unknown flow.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => {
      await configure(auth.user);
      return { status: 200, body: toFlow(await flowBySlug(params.slug)) };
    },
  });
  route({
    method: 'patch', path: '/api/v1/flows/:slug', tag: 'configuration', summary: 'Change a flow.', auth: 'required', params: SlugParams, body: PatchFlowBody,
    responses: { 200: { description: 'The flow.', schema: Flow }, 404: { description: 'Unknown flow.' }, ...needsChangeUser },
    handler: async ({ auth, params, body }) => {
      await configure(auth.user);
      const flow = await flowBySlug(params.slug);
      return { status: 200, body: toFlow(await db.flow.update({ where: { id: flow.id }, data: body })) };
    },
  });
  route({
    method: 'delete', path: '/api/v1/flows/:slug', tag: 'configuration', summary: 'Delete a flow (brands using it have no lockdown flow after).', auth: 'required', params: SlugParams,
    responses: { 204: { description: 'Deleted.' }, 404: { description: 'Unknown flow.' }, ...needsChangeUser },
    handler: async ({ auth, params, req }) => {
      await configure(auth.user);
      const flow = await flowBySlug(params.slug);
      await db.flow.delete({ where: { id: flow.id } });
      req.log?.info({ flowId: flow.id, by: auth.user.id }, 'flow deleted');
      return { status: 204 };
    },
  });

  // ── Bindings ──
  const toBinding = (binding: { id: string; order: number; condition: 'always' | 'admin_only' | 'self_service_only'; stage: { id: string; name: string; kind: 'prompt' | 'account_lockdown' } }) => ({
    id: binding.id, order: binding.order, condition: binding.condition, stage: { id: binding.stage.id, name: binding.stage.name, kind: binding.stage.kind },
  });
  route({
    method: 'get', path: '/api/v1/flows/:slug/bindings', tag: 'configuration', summary: 'The flow’s stage bindings, in order.', auth: 'required', params: SlugParams,
    responses: { 200: { description: 'Bindings.', schema: page(Binding, 'BindingList') }, 404: { description: 'Unknown flow.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => {
      await configure(auth.user);
      const flow = await flowBySlug(params.slug);
      const bindings = await db.flowStageBinding.findMany({ where: { flowId: flow.id }, orderBy: { order: 'asc' }, include: { stage: true } });
      return { status: 200, body: list(bindings.map(toBinding)) };
    },
  });
  route({
    method: 'post', path: '/api/v1/flows/:slug/bindings', tag: 'configuration', summary: 'Bind a stage to the flow at an order, with a condition.', auth: 'required',
    params: SlugParams, body: CreateBindingBody,
    responses: { 201: { description: 'Bound.', schema: Binding }, 404: { description: 'Unknown flow.' }, 409: { description: 'Order taken.' }, ...needsChangeUser },
    handler: async ({ auth, params, body }) => {
      await configure(auth.user);
      const flow = await flowBySlug(params.slug);
      const stage = isUuid(body.stageId) ? await db.stage.findUnique({ where: { id: body.stageId }, include: { accountLockdown: { select: { stageId: true } } } }) : null;
      if (!stage) throw badRequest('Unknown stage.', [{ field: 'body.stageId', message: 'No stage with this id.' }]);
      // A kind this version cannot run is refused here, never silently skipped when a lockdown starts.
      if (!isStageKind(stage.kind)) throw badRequest(`Stages of kind "${String(stage.kind)}" cannot run in a lockdown flow.`, [{ field: 'body.stageId', message: 'unsupported stage kind' }]);
      if (stage.kind === 'account_lockdown' && !stage.accountLockdown) throw badRequest('This Account Lockdown stage has no configuration.', [{ field: 'body.stageId', message: 'stage without configuration' }]);
      const binding = await conflictOnDuplicate(
        db.flowStageBinding.create({ data: { flowId: flow.id, stageId: stage.id, order: body.order, condition: body.condition }, include: { stage: true } }),
        `The flow already has a stage at order ${body.order}.`,
      );
      return { status: 201, body: toBinding(binding) };
    },
  });
  route({
    method: 'delete', path: '/api/v1/flows/:slug/bindings/:id', tag: 'configuration', summary: 'Remove a stage binding.', auth: 'required', params: BindingParams,
    responses: { 204: { description: 'Removed.' }, 404: { description: 'Unknown flow or binding.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => {
      await configure(auth.user);
      const flow = await flowBySlug(params.slug);
      const { count } = isUuid(params.id) ? await db.flowStageBinding.deleteMany({ where: { id: params.id, flowId: flow.id } }) : { count: 0 };
      if (count === 0) throw notFound('Binding');
      return { status: 204 };
    },
  });

  // ── Prompt stages ──
  route({
    method: 'get', path: '/api/v1/stages/prompt', tag: 'configuration', summary: 'Prompt stages.', auth: 'required',
    responses: { 200: { description: 'Prompt stages.', schema: page(PromptStage, 'PromptStageList') }, ...needsChangeUser },
    handler: async ({ auth }) => {
      await configure(auth.user);
      const stages = await db.stage.findMany({ where: { kind: 'prompt' }, orderBy: { name: 'asc' }, include: { promptFields: { orderBy: { order: 'asc' } }, accountLockdown: { include: { completionFlow: { select: { slug: true } } } } } });
      return { status: 200, body: list(stages.map(toPromptStage)) };
    },
  });
  route({
    method: 'post', path: '/api/v1/stages/prompt', tag: 'configuration', summary: 'Create a prompt stage with its fields. `initialValue` is a Liquid template.', auth: 'required',
    body: CreatePromptStageBody,
    responses: { 201: { description: 'Created.', schema: PromptStage }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body }) => {
      await configure(auth.user);
      const stage = await conflictOnDuplicate(
        db.stage.create({ data: { name: body.name, kind: 'prompt', promptFields: { create: body.fields } } }),
        'A stage with this name already exists.',
      );
      return { status: 201, body: toPromptStage(await stageOfKind(stage.id, 'prompt')) };
    },
  });
  route({
    method: 'get', path: '/api/v1/stages/prompt/:id', tag: 'configuration', summary: 'One prompt stage.', auth: 'required', params: IdParams,
    responses: { 200: { description: 'The stage.', schema: PromptStage }, 404: { description: 'Unknown stage.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => {
      await configure(auth.user);
      return { status: 200, body: toPromptStage(await stageOfKind(params.id, 'prompt')) };
    },
  });
  route({
    method: 'patch', path: '/api/v1/stages/prompt/:id', tag: 'configuration', summary: 'Rename a prompt stage or replace its fields.', auth: 'required',
    params: IdParams, body: PatchPromptStageBody,
    responses: { 200: { description: 'The stage.', schema: PromptStage }, 404: { description: 'Unknown stage.' }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, params, body }) => {
      await configure(auth.user);
      const stage = await stageOfKind(params.id, 'prompt');
      await conflictOnDuplicate(
        db.$transaction(async (tx) => {
          if (body.name !== undefined) await tx.stage.update({ where: { id: stage.id }, data: { name: body.name } });
          if (body.fields !== undefined) {
            await tx.promptField.deleteMany({ where: { stageId: stage.id } });
            await tx.promptField.createMany({ data: body.fields.map((field) => ({ ...field, stageId: stage.id })) });
          }
        }),
        'A stage with this name already exists.',
      );
      return { status: 200, body: toPromptStage(await stageOfKind(stage.id, 'prompt')) };
    },
  });
  route({
    method: 'delete', path: '/api/v1/stages/prompt/:id', tag: 'configuration', summary: 'Delete a prompt stage (and its bindings).', auth: 'required', params: IdParams,
    responses: { 204: { description: 'Deleted.' }, 404: { description: 'Unknown stage.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => {
      await configure(auth.user);
      await db.stage.delete({ where: { id: (await stageOfKind(params.id, 'prompt')).id } });
      return { status: 204 };
    },
  });

  // ── Account lockdown stages ──
  route({
    method: 'get', path: '/api/v1/stages/account_lockdown', tag: 'configuration', summary: 'Account Lockdown stages.', auth: 'required',
    responses: { 200: { description: 'Stages.', schema: page(AccountLockdownStage, 'AccountLockdownStageList') }, ...needsChangeUser },
    handler: async ({ auth }) => {
      await configure(auth.user);
      const stages = await db.stage.findMany({ where: { kind: 'account_lockdown' }, orderBy: { name: 'asc' }, include: { promptFields: true, accountLockdown: { include: { completionFlow: { select: { slug: true } } } } } });
      return { status: 200, body: list(stages.map(toLockdownStage)) };
    },
  });
  route({
    method: 'post', path: '/api/v1/stages/account_lockdown', tag: 'configuration',
    summary: 'Create an Account Lockdown stage: which actions run, the self-service message, the completion flow (should need no authentication).',
    auth: 'required', body: CreateAccountLockdownStageBody,
    responses: { 201: { description: 'Created.', schema: AccountLockdownStage }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body }) => {
      await configure(auth.user);
      const completionFlowId = await flowIdOrNull(body.completionFlow, 'body.completionFlow');
      const { name, completionFlow: _slug, ...flags } = body;
      const stage = await conflictOnDuplicate(
        db.stage.create({
          data: {
            name,
            kind: 'account_lockdown',
            accountLockdown: {
              create: {
                ...flags,
                selfServiceMessageTitle: body.selfServiceMessageTitle ?? DEFAULT_SELF_SERVICE_TITLE,
                selfServiceMessage: body.selfServiceMessage ?? DEFAULT_SELF_SERVICE_MESSAGE,
                completionFlowId: completionFlowId ?? null,
              },
            },
          },
        }),
        'A stage with this name already exists.',
      );
      return { status: 201, body: toLockdownStage(await stageOfKind(stage.id, 'account_lockdown')) };
    },
  });
  route({
    method: 'get', path: '/api/v1/stages/account_lockdown/:id', tag: 'configuration', summary: 'One Account Lockdown stage.', auth: 'required', params: IdParams,
    responses: { 200: { description: 'The stage.', schema: AccountLockdownStage }, 404: { description: 'Unknown stage.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => {
      await configure(auth.user);
      return { status: 200, body: toLockdownStage(await stageOfKind(params.id, 'account_lockdown')) };
    },
  });
  route({
    method: 'patch', path: '/api/v1/stages/account_lockdown/:id', tag: 'configuration', summary: 'Change an Account Lockdown stage.', auth: 'required',
    params: IdParams, body: PatchAccountLockdownStageBody,
    responses: { 200: { description: 'The stage.', schema: AccountLockdownStage }, 404: { description: 'Unknown stage.' }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, params, body, req }) => {
      await configure(auth.user);
      const stage = await stageOfKind(params.id, 'account_lockdown');
      const completionFlowId = await flowIdOrNull(body.completionFlow, 'body.completionFlow');
      const { name, completionFlow: _slug, ...config } = body;
      await conflictOnDuplicate(
        db.$transaction(async (tx) => {
          if (name !== undefined) await tx.stage.update({ where: { id: stage.id }, data: { name } });
          await tx.accountLockdownStage.update({
            where: { stageId: stage.id },
            data: { ...config, ...(completionFlowId !== undefined ? { completionFlowId } : {}) },
          });
        }),
        'A stage with this name already exists.',
      );
      req.log?.info({ stageId: stage.id, by: auth.user.id }, 'account lockdown stage changed');
      return { status: 200, body: toLockdownStage(await stageOfKind(stage.id, 'account_lockdown')) };
    },
  });
  route({
    method: 'delete', path: '/api/v1/stages/account_lockdown/:id', tag: 'configuration', summary: 'Delete an Account Lockdown stage (and its bindings).', auth: 'required', params: IdParams,
    responses: { 204: { description: 'Deleted.' }, 404: { description: 'Unknown stage.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => {
      await configure(auth.user);
      await db.stage.delete({ where: { id: (await stageOfKind(params.id, 'account_lockdown')).id } });
      return { status: 204 };
    },
  });

  // ── Flow executor (read): e.g. the self-service completion page, which needs no session ──
  route({
    method: 'get', path: '/api/v1/flows/:slug/executor', tag: 'flows',
    summary: 'The flow’s first prompt, rendered, for callers its authentication setting allows (401 when it needs a login).',
    auth: 'optional', params: SlugParams,
    responses: {
      200: { description: 'The rendered first stage.', schema: FlowExecutor },
      401: { description: 'The flow needs a login.' },
      403: { description: 'Needs a superuser.' },
      404: { description: 'Unknown flow.' },
    },
    handler: async ({ auth, params }) => {
      const flow = await flowBySlug(params.slug);
      const access = flowAccess(auth?.user ?? null, flow.authentication);
      if (access === 'login') throw unauthorized('This flow requires you to log in.');
      if (access === 'forbidden') throw forbidden('This flow requires a superuser.');
      const binding = await db.flowStageBinding.findFirst({
        where: { flowId: flow.id, condition: 'always', stage: { kind: 'prompt' } },
        orderBy: { order: 'asc' },
        include: { stage: { include: { promptFields: { orderBy: { order: 'asc' } } } } },
      });
      const user = auth?.user ? { id: auth.user.id, username: auth.user.username, name: auth.user.name, email: auth.user.email } : { id: '', username: '', name: '', email: '' };
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
      return { status: 200, body: { flow: { slug: flow.slug, title: flow.title }, stage } };
    },
  });
}
