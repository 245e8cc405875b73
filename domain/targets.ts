/**
 * Which users a lockdown request names, and whether it is self-service.
 * Pure so that the API and the tests share one definition.
 */
export const EMPTY_TARGETS_MESSAGE = 'At least one user is required.';

export interface TargetRequest {
  user?: string;
  users?: string[];
}

export type ResolvedTargets =
  | { ok: true; targetIds: string[]; selfService: boolean; bulk: boolean }
  | { ok: false; message: string };

export function resolveTargets(request: TargetRequest, callerId: string): ResolvedTargets {
  // A list wins over a single target, as in the identity provider's own stage.
  const requested = request.users ?? (request.user !== undefined ? [request.user] : [callerId]);
  const targetIds = [...new Set(requested)];
  if (targetIds.length === 0) return { ok: false, message: EMPTY_TARGETS_MESSAGE };
  return {
    ok: true,
    targetIds,
    // Self-service when the caller is a target: for a bulk list, for the whole run.
    selfService: targetIds.includes(callerId),
    bulk: targetIds.length > 1,
  };
}
