-- Two-person approval of large bulk lockdowns (domain/approval.ts).
ALTER TYPE "LockdownStatus" ADD VALUE 'awaiting_approval';
ALTER TYPE "LockdownStatus" ADD VALUE 'rejected';
ALTER TYPE "LockdownStatus" ADD VALUE 'expired';
-- Off by default (a stage opts in), LOCKDOWN_APPROVAL_THRESHOLD says from how many targets.
ALTER TABLE "account_lockdown_stages" ADD COLUMN "require_approval" BOOLEAN NOT NULL DEFAULT false;
-- The approval of a lockdown that needed one: when it expires, who decided, how, with which comment.
ALTER TABLE "lockdowns" ADD COLUMN "approval" JSONB;
