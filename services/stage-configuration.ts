import { notFoundError } from '../domain/errors';
import type { ConfigurationModel } from '../domain/events';
import { actionsOf, type LockdownActions } from '../domain/lockdown-actions';
import { ACCOUNT_LOCKDOWN_STAGE_SECURITY_FIELDS, type Actor } from '../domain/permissions';
import { changesSecuritySetting } from './authorization';
import { DEFAULT_SELF_SERVICE_MESSAGE, DEFAULT_SELF_SERVICE_TITLE } from '../domain/self-service';
import { unknownStageKind, type PromptFieldSnapshot, type PromptFieldType, type StageKind } from '../domain/stages';
import { sanitizePromptHtml } from '../domain/templates';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { fieldDiff, writeConfigurationEvent } from './audit-log';
import {
  flowIdOfSlug,
  isInBrandLockdownFlow,
  requireChangeAllowed,
  requireConfigurationAccess,
  type AuditMeta,
  type ConfigurationActor,
} from './configuration-guard';
import { promptFieldOf } from './flow-snapshot';
import { conflictOnDuplicate } from './unique-violation';

/**
 * Prompt and Account Lockdown stages. Every change is written with its `model_*` audit event
 * in one transaction. The Account Lockdown stage's approval and action switches are security
 * settings (superusers only), and so is deleting a stage bound to a brand's lockdown flow;
 * names, prompts, messages and the completion flow need change_user. The self-service
 * message is HTML the console and the CLI show: it is sanitised when it is written.
 */
/** A prompt field as written: its type one of PROMPT_FIELD_TYPES. */
export type PromptFieldInput = PromptFieldSnapshot & { type: PromptFieldType };

export interface PromptStageFields {
  name: string;
  fields: PromptFieldInput[];
}

export type LockdownStageFields = LockdownActions & {
  name: string;
  selfServiceMessageTitle: string;
  selfServiceMessage: string;
  completionFlow: string | null;
  requireApproval: boolean;
};

const NAME_TAKEN = 'A stage with this name already exists.';
/** What each kind is called in answers and in the audit log (a new kind is a compile error here). */
const STAGE_NAMES: Record<StageKind, string> = { prompt: 'Prompt stage', account_lockdown: 'Account lockdown stage' };
const STAGE_MODELS: Record<StageKind, ConfigurationModel> = { prompt: 'prompt_stage', account_lockdown: 'account_lockdown_stage' };
const list = <T>(items: T[]) => ({ items, nextCursor: null });

const stageInclude = {
  promptFields: { orderBy: { order: 'asc' } },
  accountLockdown: { include: { completionFlow: { select: { slug: true } } } },
} as const;

type StageRow = {
  id: string;
  name: string;
  promptFields: PromptFieldSnapshot[];
  accountLockdown: (LockdownActions & { selfServiceMessageTitle: string; selfServiceMessage: string; requireApproval: boolean; completionFlow: { slug: string } | null }) | null;
};

const toPromptStage = (stage: StageRow) => ({ id: stage.id, name: stage.name, fields: stage.promptFields.map(promptFieldOf) });

function lockdownFieldsOf(stage: StageRow): LockdownStageFields {
  const config = stage.accountLockdown!;
  return {
    name: stage.name,
    ...actionsOf(config),
    selfServiceMessageTitle: config.selfServiceMessageTitle,
    selfServiceMessage: config.selfServiceMessage,
    completionFlow: config.completionFlow?.slug ?? null,
    requireApproval: config.requireApproval,
  };
}
const toLockdownStage = (stage: StageRow) => ({ id: stage.id, ...lockdownFieldsOf(stage) });
const promptFieldsOf = (stage: StageRow) => ({ name: stage.name, fields: stage.promptFields.map(promptFieldOf) });

/** What the audit log records of a stage, per kind. */
function auditedFieldsOf(stage: StageRow, kind: StageKind): object {
  switch (kind) {
    case 'prompt':
      return promptFieldsOf(stage);
    case 'account_lockdown':
      return lockdownFieldsOf(stage);
    default:
      return unknownStageKind(kind);
  }
}

export function createStageConfiguration(db: Db) {
  type Reader = Pick<Db, 'stage'>;
  async function stageOfKind(reader: Reader, id: string, kind: StageKind): Promise<StageRow> {
    const stage = isUuid(id) ? await reader.stage.findFirst({ where: { id, kind }, include: stageInclude }) : null;
    // A lockdown stage without its settings row is one being deleted right now.
    if (!stage || (kind === 'account_lockdown' && !stage.accountLockdown)) throw notFoundError(STAGE_NAMES[kind]);
    return stage;
  }

  /** Deleting a stage bound to a brand's lockdown flow removes it from lockdowns: superusers only. */
  async function deleteStage(actor: ConfigurationActor, id: string, kind: StageKind, meta: AuditMeta) {
    await requireConfigurationAccess(db, actor);
    const stage = await stageOfKind(db, id, kind);
    await requireChangeAllowed(db, actor, await isInBrandLockdownFlow(db, stage.id));
    await db.$transaction(async (tx) => {
      await tx.stage.delete({ where: { id: stage.id } });
      await writeConfigurationEvent(tx, 'deleted', { model: STAGE_MODELS[kind], id: stage.id, name: stage.name }, fieldDiff(auditedFieldsOf(stage, kind), null), actor, meta);
    });
  }

  const sanitisedMessage = (message: string | undefined) => (message === undefined ? undefined : sanitizePromptHtml(message));

  return {
    // ── Prompt stages ──
    async listPromptStages(actor: Actor) {
      await requireConfigurationAccess(db, actor);
      const stages = await db.stage.findMany({ where: { kind: 'prompt' }, orderBy: { name: 'asc' }, include: stageInclude });
      return list(stages.map(toPromptStage));
    },

    async getPromptStage(actor: Actor, id: string) {
      await requireConfigurationAccess(db, actor);
      return toPromptStage(await stageOfKind(db, id, 'prompt'));
    },

    async createPromptStage(actor: ConfigurationActor, fields: PromptStageFields, meta: AuditMeta) {
      await requireConfigurationAccess(db, actor);
      return conflictOnDuplicate(
        db.$transaction(async (tx) => {
          const { id } = await tx.stage.create({ data: { name: fields.name, kind: 'prompt', promptFields: { create: fields.fields } } });
          const stage = await stageOfKind(tx, id, 'prompt');
          await writeConfigurationEvent(tx, 'created', { model: 'prompt_stage', id, name: stage.name }, fieldDiff(null, promptFieldsOf(stage)), actor, meta);
          return toPromptStage(stage);
        }),
        NAME_TAKEN,
      );
    },

    async updatePromptStage(actor: ConfigurationActor, id: string, change: Partial<PromptStageFields>, meta: AuditMeta) {
      await requireConfigurationAccess(db, actor);
      const stage = await stageOfKind(db, id, 'prompt');
      return conflictOnDuplicate(
        db.$transaction(async (tx) => {
          if (change.name !== undefined) await tx.stage.update({ where: { id: stage.id }, data: { name: change.name } });
          if (change.fields !== undefined) {
            await tx.promptField.deleteMany({ where: { stageId: stage.id } });
            await tx.promptField.createMany({ data: change.fields.map((field) => ({ ...field, stageId: stage.id })) });
          }
          const after = await stageOfKind(tx, stage.id, 'prompt');
          await writeConfigurationEvent(tx, 'updated', { model: 'prompt_stage', id: stage.id, name: after.name }, fieldDiff(promptFieldsOf(stage), promptFieldsOf(after)), actor, meta);
          return toPromptStage(after);
        }),
        NAME_TAKEN,
      );
    },

    deletePromptStage: (actor: ConfigurationActor, id: string, meta: AuditMeta) => deleteStage(actor, id, 'prompt', meta),

    // ── Account Lockdown stages ──
    async listLockdownStages(actor: Actor) {
      await requireConfigurationAccess(db, actor);
      const stages = await db.stage.findMany({ where: { kind: 'account_lockdown' }, orderBy: { name: 'asc' }, include: stageInclude });
      return list(stages.map(toLockdownStage));
    },

    async getLockdownStage(actor: Actor, id: string) {
      await requireConfigurationAccess(db, actor);
      return toLockdownStage(await stageOfKind(db, id, 'account_lockdown'));
    },

    /** A new stage is in no flow yet: change_user, whatever its switches (binding it into a brand's lockdown flow needs a superuser). */
    async createLockdownStage(
      actor: ConfigurationActor,
      fields: LockdownActions & { name: string; requireApproval: boolean; selfServiceMessageTitle?: string; selfServiceMessage?: string; completionFlow?: string | null },
      meta: AuditMeta,
    ) {
      await requireConfigurationAccess(db, actor);
      const { name, completionFlow, selfServiceMessageTitle, selfServiceMessage, ...switches } = fields;
      const completionFlowId = completionFlow ? await flowIdOfSlug(db, completionFlow, 'body.completionFlow') : null;
      return conflictOnDuplicate(
        db.$transaction(async (tx) => {
          const { id } = await tx.stage.create({
            data: {
              name,
              kind: 'account_lockdown',
              accountLockdown: {
                create: {
                  ...switches,
                  selfServiceMessageTitle: selfServiceMessageTitle ?? DEFAULT_SELF_SERVICE_TITLE,
                  selfServiceMessage: sanitisedMessage(selfServiceMessage) ?? DEFAULT_SELF_SERVICE_MESSAGE,
                  completionFlowId,
                },
              },
            },
          });
          const stage = await stageOfKind(tx, id, 'account_lockdown');
          await writeConfigurationEvent(tx, 'created', { model: 'account_lockdown_stage', id, name }, fieldDiff(null, lockdownFieldsOf(stage)), actor, meta);
          return toLockdownStage(stage);
        }),
        NAME_TAKEN,
      );
    },

    /** Approval and the action switches are security settings: changing one needs a superuser. */
    async updateLockdownStage(actor: ConfigurationActor, id: string, change: Partial<LockdownStageFields>, meta: AuditMeta) {
      await requireConfigurationAccess(db, actor);
      const stage = await stageOfKind(db, id, 'account_lockdown');
      const before = lockdownFieldsOf(stage);
      const { name, completionFlow, selfServiceMessage, ...settings } = change;
      const completionFlowId = completionFlow === undefined ? undefined : completionFlow === null ? null : await flowIdOfSlug(db, completionFlow, 'body.completionFlow');
      await requireChangeAllowed(db, actor, changesSecuritySetting(before, change, ACCOUNT_LOCKDOWN_STAGE_SECURITY_FIELDS));
      return conflictOnDuplicate(
        db.$transaction(async (tx) => {
          if (name !== undefined) await tx.stage.update({ where: { id: stage.id }, data: { name } });
          await tx.accountLockdownStage.update({
            where: { stageId: stage.id },
            data: {
              ...settings,
              ...(selfServiceMessage !== undefined ? { selfServiceMessage: sanitisedMessage(selfServiceMessage) } : {}),
              ...(completionFlowId !== undefined ? { completionFlowId } : {}),
            },
          });
          const after = await stageOfKind(tx, stage.id, 'account_lockdown');
          await writeConfigurationEvent(tx, 'updated', { model: 'account_lockdown_stage', id: stage.id, name: after.name }, fieldDiff(before, lockdownFieldsOf(after)), actor, meta);
          return toLockdownStage(after);
        }),
        NAME_TAKEN,
      );
    },

    deleteLockdownStage: (actor: ConfigurationActor, id: string, meta: AuditMeta) => deleteStage(actor, id, 'account_lockdown', meta),
  };
}

export type StageConfiguration = ReturnType<typeof createStageConfiguration>;
