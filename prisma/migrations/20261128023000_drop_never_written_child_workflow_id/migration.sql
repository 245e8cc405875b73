-- lockdown_targets.child_workflow_id was never written: the per-user workflow id is derived
-- from the lockdown and the user (workflows/ids.ts), and the audit event records it.
ALTER TABLE "lockdown_targets" DROP COLUMN "child_workflow_id";
