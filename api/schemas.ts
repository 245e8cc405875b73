import { z } from 'zod';
import './http/openapi';
import { TOKEN_INTENTS, USER_TYPES } from '../domain/accounts';
import { APPROVAL_RECORD_OUTCOMES } from '../domain/approval';
import { perAction } from '../domain/lockdown-actions';
import { RESULT_SORTS } from '../domain/lockdown-results';
import { LOCKDOWN_STATUSES, TARGET_STATUSES } from '../domain/lockdown-status';
import { PERMISSION_NAMES } from '../domain/permissions';
import { BINDING_CONDITIONS, FLOW_AUTHENTICATIONS, PROMPT_FIELD_TYPES, STAGE_KINDS } from '../domain/stages';
import { DownstreamResult, DownstreamSummary } from './schemas/downstream';
import { LockdownTrigger } from './schemas/lockdown-trigger';

/** Request and response shapes of the v1 API; they validate requests and feed the OpenAPI document. */

export const IdParams = z.object({ id: z.string().min(1).max(100) });

export const Pagination = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
};

export const UserType = z.enum(USER_TYPES);

export const User = z
  .object({
    id: z.string(),
    username: z.string(),
    name: z.string(),
    email: z.string(),
    isActive: z.boolean(),
    isSuperuser: z.boolean(),
    type: UserType,
    passwordLocked: z
      .boolean()
      .optional()
      .openapi({ description: 'Whether the password is locked after repeated failed logins (password lockout). In the answers of GET /users and GET /users/{id}.' }),
  })
  .openapi('User');

export const LoginBody = z.object({ username: z.string().min(1).max(150), password: z.string().min(1).max(1024) }).openapi('LoginRequest');
export const LoginResponse = z.object({ user: User, sessionKey: z.string(), expiresAt: z.string() }).openapi('LoginResponse');

export const password = z.string().min(8, 'Passwords have at least 8 characters.').max(1024);

export const CreateUserBody = z
  .object({
    username: z.string().trim().min(1).max(150).regex(/^[\w.@+-]+$/, 'Letters, digits and @/./+/-/_ only.'),
    name: z.string().max(150).optional(),
    email: z.email().max(254).optional(),
    password: password.optional(),
    type: UserType.optional(),
    isSuperuser: z.boolean().optional(),
  })
  .strict()
  .openapi('CreateUserRequest');

export const TokenIntent = z.enum(TOKEN_INTENTS);

export const CreateTokenBody = z
  .object({
    identifier: z.string().trim().min(1).max(255).regex(/^[\w.:-]+$/, 'Letters, digits and .:-_ only.'),
    intent: TokenIntent,
    userId: z.string().max(100).optional(),
    description: z.string().max(500).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi('CreateTokenRequest');

export const CreatedToken = z
  .object({ id: z.string(), identifier: z.string(), intent: TokenIntent, key: z.string(), expiresAt: z.string().nullable() })
  .openapi('CreatedToken');

export const LockdownStatus = z.enum(LOCKDOWN_STATUSES);

export const CreateLockdownBody = z
  .object({
    user: z.string().min(1).max(100).optional(),
    users: z.array(z.string().min(1).max(100)).optional(),
    reason: z.string().trim().min(1).max(5000).optional(),
  })
  .strict()
  .openapi('CreateLockdownRequest');

/** A prompt's answers by fieldKey; free text up to 20,000 characters (as a prompt field's initialValue). */
export const StageSubmission = z
  .record(z.string().max(100), z.union([z.string().max(20_000), z.number(), z.boolean(), z.null()]))
  .refine((answers) => Object.keys(answers).length <= 100, 'At most 100 fields.')
  .openapi('StageSubmission');

export const LockdownResult = z
  .object({
    userId: z.string(),
    username: z.string(),
    status: z.enum(TARGET_STATUSES),
    success: z.boolean(),
    error: z.string().nullable(),
    sessionsRevoked: z.number().int(),
    tokensRevoked: z.number().int(),
    downstream: z.array(DownstreamResult).openapi({ description: 'The user on each downstream connector (done, not found, failed with why; pending while it runs).' }),
    completedAt: z.string().nullable(),
    viewerMayViewUser: z.boolean().openapi({ description: 'Whether the caller may open this user (GET /users/:id): change_user on them, or themself.' }),
  })
  .openapi('LockdownResult');

export const RenderedField = z
  .object({
    fieldKey: z.string(),
    label: z.string(),
    type: z.string(),
    required: z.boolean(),
    placeholder: z.string(),
    subText: z.string(),
    initialValue: z.string(),
  })
  .openapi('RenderedField');

export const RenderedStage = z.object({ name: z.string(), fields: z.array(RenderedField) }).openapi('RenderedStage');

export const Completion = z
  .object({ redirect: z.string().optional(), message: z.object({ title: z.string(), body: z.string() }).optional() })
  .openapi('Completion');

export const Lockdown = z
  .object({
    id: z.string(),
    status: LockdownStatus,
    finished: z.boolean().openapi({ description: 'Whether its status is final (completed, cancelled, failed, rejected, expired).' }),
    selfService: z.boolean().openapi({ description: 'The requester is among the targets (for a bulk list: the whole run ends as a self-service run).' }),
    targetCount: z.number().int().openapi({ description: 'How many users it locks (more than one: a bulk lockdown).' }),
    includesCaller: z.boolean().openapi({ description: 'The requester is one of its targets: a bulk lockdown with it locks the requester too.' }),
    cause: z.string().nullable().openapi({ description: 'Set when no lockdown request caused it: `user_deactivated` or `user_deleted`.' }),
    actor: z.object({ id: z.string().nullable(), username: z.string() }),
    reason: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    progress: z.object({ total: z.number(), locked: z.number(), failed: z.number(), cancelled: z.number(), pending: z.number() }),
    containment: z
      .object({
        contained: z.number().int().openapi({ description: 'Targets made inactive before the per-user runs (already inactive ones included).' }),
        finishedAt: z.string().nullable().openapi({ description: 'When containment finished; null while it runs.' }),
      })
      .nullable()
      .openapi({ description: 'Containment first (every target deactivated at once): null until it has run, and when the stage does not deactivate.' }),
    cancellation: z
      .object({
        effect: z.string().nullable().openapi({ description: 'What cancelling does now, in the words the console confirms with; null when the caller cannot cancel it.' }),
        leftDeactivated: z.number().int().openapi({ description: 'Users a cancel left out after containment: they stay deactivated, not fully locked.' }),
        outcome: z.string().nullable().openapi({ description: 'What the cancel did to them and how to undo it; null when it left out nobody who changed.' }),
      })
      .openapi({ description: 'Cancelling, said one way everywhere (domain/cancellation.ts).' }),
    results: z.array(LockdownResult),
    downstream: z.array(DownstreamSummary).openapi({ description: 'Per downstream connector, how many users are pending, done, not found there or failed (retry a failed connector with POST /lockdowns/:id/downstream/retry).' }),
    stage: RenderedStage.nullable(),
    completion: Completion.nullable(),
    error: z.string().nullable(),
    flow: z.object({ slug: z.string(), title: z.string() }).openapi({ description: 'The lockdown flow it runs; a browser shows it at /flows/<slug>.' }),
    workflowId: z.string(),
    /** Set when the lockdown needed a second person's approval. */
    approval: z
      .object({
        viewerMayDecide: z.boolean().openapi({ description: 'Whether the caller may approve or reject it now: not its requester, change_user on every target, still awaiting approval.' }),
        expiresAt: z.string().nullable(),
        outcome: z.enum(APPROVAL_RECORD_OUTCOMES).nullable(),
        approver: z.object({ id: z.string(), username: z.string() }).nullable(),
        comment: z.string().nullable(),
        decidedAt: z.string().nullable(),
      })
      .nullable(),
    /** Set when no person asked for it: a password lockout or a Shared Signal started it. */
    trigger: LockdownTrigger.nullable(),
    // What the caller may do with it now, decided by domain/permissions.ts as the routes decide it.
    viewerMayAnswer: z.boolean().openapi({ description: 'Whether the caller may answer its prompt now: its requester, while it awaits input.' }),
    viewerMayCancel: z.boolean().openapi({ description: 'Whether the caller may cancel it now: its requester or a superuser, until it finishes.' }),
    viewerMayReadHistory: z.boolean().openapi({ description: 'Whether the caller may read its history and timeline: its requester, or view_audit.' }),
    links: z.object({ self: z.string(), results: z.string(), history: z.string(), temporalUi: z.string() }),
  })
  .openapi('Lockdown');
export const ApprovalBody = z.object({ comment: z.string().max(1_000).optional() }).strict().openapi('LockdownApprovalRequest');

export const Event = z
  .object({
    id: z.string(),
    action: z.string(),
    actor: z.object({ id: z.string().nullable(), username: z.string() }).nullable(),
    context: z.record(z.string(), z.unknown()),
    clientIp: z.string().nullable(),
    lockdownId: z.string().nullable(),
    workflowId: z.string().nullable(),
    createdAt: z.string(),
    links: z.object({ lockdown: z.string().nullable(), temporalUi: z.string().nullable() }),
  })
  .openapi('Event');

export const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

export const UsersQuery = z.object({
  search: z.string().trim().max(150).optional(),
  isActive: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  /** true: users whose password is locked after repeated failed logins; false: the others. */
  passwordLocked: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  ...Pagination,
});

export const SessionInfo = z
  .object({ id: z.string(), expiresAt: z.string(), expired: z.boolean(), lastIp: z.string().nullable(), lastUserAgent: z.string().nullable(), createdAt: z.string() })
  .openapi('Session');

export const TokenInfo = z
  .object({
    id: z.string(),
    identifier: z.string(),
    intent: TokenIntent,
    description: z.string(),
    expiresAt: z.string().nullable(),
    expired: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Token');

export const SetPasswordBody = z.object({ password, reason: z.string().max(1_000).optional() }).strict().openapi('SetPasswordRequest');
export const RecoveryBody = z.object({ token: z.string().min(1).max(200), password }).strict().openapi('RecoveryRequest');
export const RecoveryLink = z.object({ link: z.string(), expiresAt: z.string(), message: z.string() }).openapi('RecoveryLink');

export const PermissionName = z.enum(PERMISSION_NAMES);
export const PermissionBody = z
  .object({ userId: z.string().min(1).max(100), permission: PermissionName, targetUserId: z.string().min(1).max(100).optional() })
  .strict()
  .openapi('GrantPermissionRequest');
export const Permission = z
  .object({ id: z.string(), userId: z.string(), permission: PermissionName, targetUserId: z.string().nullable(), createdAt: z.string() })
  .openapi('Permission');

export const LockdownsQuery = z.object({
  status: LockdownStatus.optional(),
  actor: z.string().max(150).optional(),
  target: z.string().max(100).optional(),
  ...Pagination,
});

export const ResultsQuery = z.object({
  status: z.enum(TARGET_STATUSES).optional().openapi({ description: 'Only results with this status (e.g. failed).' }),
  sort: z.enum(RESULT_SORTS).default('position').openapi({ description: 'Order: request order (default), username, result (failures first), sessions or tokens; `-` for descending.' }),
  ...Pagination,
});

// ── Flows, stages, brands ──

export const FlowAuthentication = z.enum(FLOW_AUTHENTICATIONS);
export const BindingCondition = z.enum(BINDING_CONDITIONS);
export const PromptFieldType = z.enum(PROMPT_FIELD_TYPES);
const slug = z.string().trim().min(1).max(100).regex(/^[a-z0-9][a-z0-9-_]*$/, 'Lowercase letters, digits, - and _ only.');

export const SlugParams = z.object({ slug: z.string().min(1).max(100) });
export const BindingParams = z.object({ slug: z.string().min(1).max(100), id: z.string().min(1).max(100) });

export const Brand = z.object({ id: z.string(), domain: z.string(), isDefault: z.boolean(), flowLockdown: z.string().nullable() }).openapi('Brand');
export const PatchBrandBody = z.object({ flowLockdown: slug.nullable() }).strict().openapi('PatchBrandRequest');

export const Flow = z
  .object({ id: z.string(), slug: z.string(), name: z.string(), title: z.string(), designation: z.literal('stage_configuration'), authentication: FlowAuthentication })
  .openapi('Flow');
export const CreateFlowBody = z
  .object({
    slug,
    name: z.string().trim().min(1).max(200),
    title: z.string().trim().min(1).max(200),
    designation: z.literal('stage_configuration').default('stage_configuration'),
    authentication: FlowAuthentication.default('require_authenticated'),
  })
  .strict()
  .openapi('CreateFlowRequest');
export const PatchFlowBody = z
  .object({ name: z.string().trim().min(1).max(200), title: z.string().trim().min(1).max(200), authentication: FlowAuthentication })
  .partial()
  .strict()
  .openapi('PatchFlowRequest');

export const Binding = z
  .object({ id: z.string(), order: z.number().int(), condition: BindingCondition, stage: z.object({ id: z.string(), name: z.string(), kind: z.enum(STAGE_KINDS) }) })
  .openapi('FlowStageBinding');
export const CreateBindingBody = z
  .object({ stageId: z.string().min(1).max(100), order: z.number().int().min(0).max(100_000), condition: BindingCondition.default('always') })
  .strict()
  .openapi('CreateBindingRequest');

export const PromptFieldInput = z
  .object({
    fieldKey: z.string().trim().min(1).max(100).regex(/^[a-z_][a-z0-9_]*$/, 'Lowercase letters, digits and _ only.'),
    label: z.string().max(200).default(''),
    type: PromptFieldType,
    required: z.boolean().default(false),
    order: z.number().int().min(0).max(100_000).default(0),
    placeholder: z.string().max(500).default(''),
    subText: z.string().max(2000).default(''),
    initialValue: z.string().max(20_000).default(''),
  })
  .strict()
  .openapi('PromptField');
const uniqueFieldKeys = (fields: { fieldKey: string }[]) => new Set(fields.map((field) => field.fieldKey)).size === fields.length;
export const PromptStage = z.object({ id: z.string(), name: z.string(), fields: z.array(PromptFieldInput) }).openapi('PromptStage');
export const CreatePromptStageBody = z
  .object({ name: z.string().trim().min(1).max(200), fields: z.array(PromptFieldInput).max(50).refine(uniqueFieldKeys, 'fieldKey values must be unique.') })
  .strict()
  .openapi('CreatePromptStageRequest');
export const PatchPromptStageBody = CreatePromptStageBody.partial().openapi('PatchPromptStageRequest');

export const AccountLockdownStage = z
  .object({
    id: z.string(),
    name: z.string(),
    ...perAction(() => z.boolean()),
    selfServiceMessageTitle: z.string(),
    selfServiceMessage: z.string(),
    completionFlow: z.string().nullable(),
    requireApproval: z.boolean(),
  })
  .openapi('AccountLockdownStage');
export const CreateAccountLockdownStageBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    // Every action of domain/lockdown-actions.ts, on by default.
    ...perAction(() => z.boolean().default(true)),
    selfServiceMessageTitle: z.string().max(200).optional(),
    selfServiceMessage: z.string().max(20_000).optional(),
    completionFlow: slug.nullable().optional(),
    /** Bulk lockdowns of more than LOCKDOWN_APPROVAL_THRESHOLD users wait for a second person's approval. */
    requireApproval: z.boolean().default(false),
  })
  .strict()
  .openapi('CreateAccountLockdownStageRequest');
export const PatchAccountLockdownStageBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    ...perAction(() => z.boolean()),
    selfServiceMessageTitle: z.string().max(200),
    selfServiceMessage: z.string().max(20_000),
    completionFlow: slug.nullable(),
    requireApproval: z.boolean(),
  })
  .partial()
  .strict()
  .openapi('PatchAccountLockdownStageRequest');

export const FlowExecutor = z
  .object({ flow: z.object({ slug: z.string(), title: z.string() }), stage: RenderedStage.nullable() })
  .openapi('FlowExecutor');

// ── Restore access (audited) ──
/** Optional body of activate and recovery_link: the reason recorded in the audit event. */
export const UpdateUserBody = z
  .object({
    name: z.string().max(150).optional(),
    email: z.union([z.email().max(254), z.literal('')]).optional(),
    /** false deactivates: the same per-user lockdown runs (sessions ended, tokens revoked, verified, audited). */
    isActive: z.boolean().optional(),
    reason: z.string().max(1_000).optional(),
  })
  .strict()
  .openapi('UpdateUserRequest');
export const RestoreBody = z.object({ reason: z.string().max(1_000).optional() }).strict().openapi('RestoreAccessRequest');
export const ActivatedUser = User.extend({
  credentialsKept: z.object({ sessions: z.number().int(), tokens: z.number().int() }),
  /** Set when sessions or tokens survive: they work again now that the user is active. */
  warning: z.string().nullable(),
}).openapi('ActivatedUser');
