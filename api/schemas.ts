import { z } from 'zod';
import './http/openapi';

/** Request and response shapes of the v1 API; they validate requests and feed the OpenAPI document. */

export const IdParams = z.object({ id: z.string().min(1).max(100) });

export const Pagination = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
};

export const UserType = z.enum(['internal', 'external', 'service_account', 'internal_service_account']);

export const User = z
  .object({
    id: z.string(),
    username: z.string(),
    name: z.string(),
    email: z.string(),
    isActive: z.boolean(),
    isSuperuser: z.boolean(),
    type: UserType,
  })
  .openapi('User');

export const LoginBody = z.object({ username: z.string().min(1).max(150), password: z.string().min(1).max(1024) }).openapi('LoginRequest');
export const LoginResponse = z.object({ user: User, sessionKey: z.string(), expiresAt: z.string() }).openapi('LoginResponse');

const password = z.string().min(8, 'Passwords have at least 8 characters.').max(1024);

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

export const TokenIntent = z.enum(['api', 'app_password', 'recovery', 'verification']);

export const CreateTokenBody = z
  .object({
    identifier: z.string().trim().min(1).max(255).regex(/^[\w.:-]+$/, 'Letters, digits and .:-_ only.'),
    intent: TokenIntent,
    userId: z.string().optional(),
    description: z.string().max(500).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi('CreateTokenRequest');

export const CreatedToken = z
  .object({ id: z.string(), identifier: z.string(), intent: TokenIntent, key: z.string(), expiresAt: z.string().nullable() })
  .openapi('CreatedToken');

export const LockdownStatus = z.enum(['awaiting_input', 'running', 'completed', 'cancelled', 'failed', 'pending']);

export const CreateLockdownBody = z
  .object({
    user: z.string().min(1).max(100).optional(),
    users: z.array(z.string().min(1).max(100)).optional(),
    reason: z.string().trim().min(1).max(5000).optional(),
  })
  .strict()
  .openapi('CreateLockdownRequest');

export const LockdownResult = z
  .object({
    userId: z.string(),
    username: z.string(),
    status: z.enum(['pending', 'running', 'locked', 'failed', 'cancelled']),
    success: z.boolean(),
    error: z.string().nullable(),
    sessionsRevoked: z.number().int(),
    tokensRevoked: z.number().int(),
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
    selfService: z.boolean(),
    actor: z.object({ id: z.string().nullable(), username: z.string() }),
    reason: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    progress: z.object({ total: z.number(), locked: z.number(), failed: z.number(), cancelled: z.number(), pending: z.number() }),
    results: z.array(LockdownResult),
    stage: RenderedStage.nullable(),
    completion: Completion.nullable(),
    error: z.string().nullable(),
    workflowId: z.string(),
    links: z.object({ self: z.string(), results: z.string(), history: z.string(), temporalUi: z.string() }),
  })
  .openapi('Lockdown');

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
  })
  .openapi('Event');

export const EventsQuery = z.object({
  action: z.string().max(100).optional(),
  actor: z.string().max(150).optional(),
  affectedUser: z.string().max(150).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...Pagination,
});

export const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
