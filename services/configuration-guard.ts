import { denied, invalid } from '../domain/errors';
import { type Actor } from '../domain/permissions';
import { canChangeConfiguration, canConfigureFlows } from './authorization';
import type { ActorRef } from '../domain/stages';
import type { Db } from '../lib/db';
import type { AuditMeta } from './audit-log';

/**
 * What the configuration services share: who may change what (decided in
 * domain/permissions.ts), and the lookups that decide whether a change touches a brand's
 * lockdown flow — a security setting.
 */
export type ConfigurationActor = Actor & ActorRef;
export type { AuditMeta };

type Reader = Pick<Db, 'brand' | 'flow' | 'flowStageBinding'>;

export const SECURITY_SETTING_MESSAGE =
  'This changes a security setting of lockdowns (approval, the lockdown actions, a flow’s authentication, a brand’s lockdown flow or its stages): only a superuser may.';

/** change_user (globally) before anything is read, so nothing is learnt about ids by probing. */
export async function requireConfigurationAccess(db: Db, actor: Actor): Promise<void> {
  if (!(await canConfigureFlows(db, actor))) throw denied('Configuring flows needs the change_user permission.');
}

/** After the object is read: a change of a security setting needs a superuser. */
export async function requireChangeAllowed(db: Db, actor: Actor, securitySetting: boolean): Promise<void> {
  if (!(await canChangeConfiguration(db, actor, { securitySetting }))) throw denied(SECURITY_SETTING_MESSAGE);
}

/** Whether a brand runs its lockdowns with this flow. */
export async function isBrandLockdownFlow(db: Reader, flowId: string): Promise<boolean> {
  return (await db.brand.count({ where: { flowLockdownId: flowId } })) > 0;
}

/** Whether the stage is bound to a flow a brand runs its lockdowns with. */
export async function isInBrandLockdownFlow(db: Reader, stageId: string): Promise<boolean> {
  return (await db.flowStageBinding.count({ where: { stageId, flow: { brands: { some: {} } } } })) > 0;
}

/** A flow named by its slug in a request body: its id, or a 400 naming the field. */
export async function flowIdOfSlug(db: Reader, slug: string, field: string): Promise<string> {
  const flow = await db.flow.findUnique({ where: { slug }, select: { id: true } });
  if (!flow) throw invalid(`No flow with slug "${slug}".`, [{ field, message: 'unknown flow' }]);
  return flow.id;
}
