import type { Router } from 'express';
import { unauthorized } from '../http/errors';
import { LOCKDOWN_ACTIONS } from '../../domain/lockdown-actions';
import { LockdownActionList } from '../schemas/lockdown-actions';
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

/**
 * Configuration of flows, stages and brands, and the flow executor read endpoint. Each route
 * validates, calls one service (services/flow-configuration.ts, services/stage-configuration.ts)
 * and answers. Configuration needs change_user; its security settings a superuser.
 */
export function flowRoutes(_router: Router, route: Route, { services: { flowConfiguration: flows, stageConfiguration: stages } }: ApiDeps) {
  const needsChangeUser = { 403: { description: 'change_user missing.' } };
  const securitySetting = { 403: { description: 'change_user missing, or the change touches a security setting and the caller is not a superuser.' } };

  // ── Brands ──
  route({
    method: 'get', path: '/api/v1/brands', tag: 'configuration', summary: 'Brands and their lockdown flow.', auth: 'required',
    responses: { 200: { description: 'Brands.', schema: page(Brand, 'BrandList') }, ...needsChangeUser },
    handler: async ({ auth }) => ({ status: 200, body: await flows.listBrands(auth.user) }),
  });
  route({
    method: 'patch', path: '/api/v1/brands/:id', tag: 'configuration',
    summary: 'Set (slug) or unset (null) the brand’s lockdown flow (a security setting: superusers only).', auth: 'required',
    params: IdParams, body: PatchBrandBody,
    responses: { 200: { description: 'The brand.', schema: Brand }, 404: { description: 'Unknown brand.' }, ...securitySetting },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 200, body: await flows.setBrandLockdownFlow(auth.user, params.id, body.flowLockdown, { clientIp }) }),
  });

  // ── Flows ──
  route({
    method: 'get', path: '/api/v1/flows', tag: 'configuration', summary: 'Flows.', auth: 'required',
    responses: { 200: { description: 'Flows.', schema: page(Flow, 'FlowList') }, ...needsChangeUser },
    handler: async ({ auth }) => ({ status: 200, body: await flows.listFlows(auth.user) }),
  });
  route({
    method: 'post', path: '/api/v1/flows', tag: 'configuration', summary: 'Create a flow.', auth: 'required', body: CreateFlowBody,
    responses: { 201: { description: 'Created.', schema: Flow }, 409: { description: 'Slug taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await flows.createFlow(auth.user, body, { clientIp }) }),
  });
  route({
    method: 'get', path: '/api/v1/flows/:slug', tag: 'configuration', summary: 'One flow.', auth: 'required', params: SlugParams,
    responses: { 200: { description: 'The flow.', schema: Flow }, 404: { description: 'Unknown flow.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => ({ status: 200, body: await flows.getFlow(auth.user, params.slug) }),
  });
  route({
    method: 'patch', path: '/api/v1/flows/:slug', tag: 'configuration', summary: 'Change a flow (its `authentication` is a security setting: superusers only).', auth: 'required',
    params: SlugParams, body: PatchFlowBody,
    responses: { 200: { description: 'The flow.', schema: Flow }, 404: { description: 'Unknown flow.' }, ...securitySetting },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 200, body: await flows.updateFlow(auth.user, params.slug, body, { clientIp }) }),
  });
  route({
    method: 'delete', path: '/api/v1/flows/:slug', tag: 'configuration',
    summary: 'Delete a flow (brands using it have no lockdown flow after; a brand’s lockdown flow only by a superuser).', auth: 'required', params: SlugParams,
    responses: { 204: { description: 'Deleted.' }, 404: { description: 'Unknown flow.' }, ...securitySetting },
    handler: async ({ auth, params, clientIp }) => {
      await flows.deleteFlow(auth.user, params.slug, { clientIp });
      return { status: 204 };
    },
  });

  // ── Bindings ──
  route({
    method: 'get', path: '/api/v1/flows/:slug/bindings', tag: 'configuration', summary: 'The flow’s stage bindings, in order.', auth: 'required', params: SlugParams,
    responses: { 200: { description: 'Bindings.', schema: page(Binding, 'BindingList') }, 404: { description: 'Unknown flow.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => ({ status: 200, body: await flows.listBindings(auth.user, params.slug) }),
  });
  route({
    method: 'post', path: '/api/v1/flows/:slug/bindings', tag: 'configuration',
    summary: 'Bind a stage to the flow at an order, with a condition (in a brand’s lockdown flow: superusers only).', auth: 'required',
    params: SlugParams, body: CreateBindingBody,
    responses: { 201: { description: 'Bound.', schema: Binding }, 404: { description: 'Unknown flow.' }, 409: { description: 'Order taken.' }, ...securitySetting },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 201, body: await flows.bindStage(auth.user, params.slug, body, { clientIp }) }),
  });
  route({
    method: 'delete', path: '/api/v1/flows/:slug/bindings/:id', tag: 'configuration',
    summary: 'Remove a stage binding (from a brand’s lockdown flow: superusers only).', auth: 'required', params: BindingParams,
    responses: { 204: { description: 'Removed.' }, 404: { description: 'Unknown flow or binding.' }, ...securitySetting },
    handler: async ({ auth, params, clientIp }) => {
      await flows.unbindStage(auth.user, params.slug, params.id, { clientIp });
      return { status: 204 };
    },
  });

  // ── Prompt stages ──
  route({
    method: 'get', path: '/api/v1/stages/prompt', tag: 'configuration', summary: 'Prompt stages.', auth: 'required',
    responses: { 200: { description: 'Prompt stages.', schema: page(PromptStage, 'PromptStageList') }, ...needsChangeUser },
    handler: async ({ auth }) => ({ status: 200, body: await stages.listPromptStages(auth.user) }),
  });
  route({
    method: 'post', path: '/api/v1/stages/prompt', tag: 'configuration',
    summary: 'Create a prompt stage with its fields. `initialValue` is a Liquid template; alert fields are HTML, sanitised when rendered.', auth: 'required',
    body: CreatePromptStageBody,
    responses: { 201: { description: 'Created.', schema: PromptStage }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await stages.createPromptStage(auth.user, body, { clientIp }) }),
  });
  route({
    method: 'get', path: '/api/v1/stages/prompt/:id', tag: 'configuration', summary: 'One prompt stage.', auth: 'required', params: IdParams,
    responses: { 200: { description: 'The stage.', schema: PromptStage }, 404: { description: 'Unknown stage.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => ({ status: 200, body: await stages.getPromptStage(auth.user, params.id) }),
  });
  route({
    method: 'patch', path: '/api/v1/stages/prompt/:id', tag: 'configuration', summary: 'Rename a prompt stage or replace its fields.', auth: 'required',
    params: IdParams, body: PatchPromptStageBody,
    responses: { 200: { description: 'The stage.', schema: PromptStage }, 404: { description: 'Unknown stage.' }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 200, body: await stages.updatePromptStage(auth.user, params.id, body, { clientIp }) }),
  });
  route({
    method: 'delete', path: '/api/v1/stages/prompt/:id', tag: 'configuration',
    summary: 'Delete a prompt stage and its bindings (one bound to a brand’s lockdown flow: superusers only).', auth: 'required', params: IdParams,
    responses: { 204: { description: 'Deleted.' }, 404: { description: 'Unknown stage.' }, ...securitySetting },
    handler: async ({ auth, params, clientIp }) => {
      await stages.deletePromptStage(auth.user, params.id, { clientIp });
      return { status: 204 };
    },
  });

  // ── Account lockdown stages ──
  route({
    method: 'get', path: '/api/v1/stages/account_lockdown', tag: 'configuration', summary: 'Account Lockdown stages.', auth: 'required',
    responses: { 200: { description: 'Stages.', schema: page(AccountLockdownStage, 'AccountLockdownStageList') }, ...needsChangeUser },
    handler: async ({ auth }) => ({ status: 200, body: await stages.listLockdownStages(auth.user) }),
  });
  route({
    method: 'post', path: '/api/v1/stages/account_lockdown', tag: 'configuration',
    summary: 'Create an Account Lockdown stage: which actions run, the self-service message (HTML, sanitised), the completion flow (should need no authentication).',
    auth: 'required', body: CreateAccountLockdownStageBody,
    responses: { 201: { description: 'Created.', schema: AccountLockdownStage }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await stages.createLockdownStage(auth.user, body, { clientIp }) }),
  });
  // Before `/:id`, which would take `actions` for an id.
  route({
    method: 'get', path: '/api/v1/stages/account_lockdown/actions', tag: 'configuration',
    summary: 'The switchable actions of an Account Lockdown stage, in the order they run: label, description, timeline outcome, counter, CAEP event, restore hint (any signed-in client).',
    auth: 'required',
    responses: { 200: { description: 'The actions.', schema: LockdownActionList } },
    handler: async () => ({ status: 200, body: { items: LOCKDOWN_ACTIONS.map(({ key, label, description, outcome, counter, caep, revokedOnDeactivation, restore }) => ({ key, label, description, outcome, counter: counter && { column: counter.column, label: counter.label }, caep, revokedOnDeactivation, restore })) } }),
  });
  route({
    method: 'get', path: '/api/v1/stages/account_lockdown/:id', tag: 'configuration', summary: 'One Account Lockdown stage.', auth: 'required', params: IdParams,
    responses: { 200: { description: 'The stage.', schema: AccountLockdownStage }, 404: { description: 'Unknown stage.' }, ...needsChangeUser },
    handler: async ({ auth, params }) => ({ status: 200, body: await stages.getLockdownStage(auth.user, params.id) }),
  });
  route({
    method: 'patch', path: '/api/v1/stages/account_lockdown/:id', tag: 'configuration',
    summary: 'Change an Account Lockdown stage (its action switches and `requireApproval` are security settings: superusers only).', auth: 'required',
    params: IdParams, body: PatchAccountLockdownStageBody,
    responses: { 200: { description: 'The stage.', schema: AccountLockdownStage }, 404: { description: 'Unknown stage.' }, 409: { description: 'Name taken.' }, ...securitySetting },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 200, body: await stages.updateLockdownStage(auth.user, params.id, body, { clientIp }) }),
  });
  route({
    method: 'delete', path: '/api/v1/stages/account_lockdown/:id', tag: 'configuration',
    summary: 'Delete an Account Lockdown stage and its bindings (one bound to a brand’s lockdown flow: superusers only).', auth: 'required', params: IdParams,
    responses: { 204: { description: 'Deleted.' }, 404: { description: 'Unknown stage.' }, ...securitySetting },
    handler: async ({ auth, params, clientIp }) => {
      await stages.deleteLockdownStage(auth.user, params.id, { clientIp });
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
      const answer = await flows.executor(auth?.user ?? null, params.slug);
      if (answer.access === 'login') throw unauthorized('This flow requires you to log in.');
      return { status: 200, body: answer.executor };
    },
  });
}
