-- CreateEnum
CREATE TYPE "UserType" AS ENUM ('internal', 'external', 'service_account', 'internal_service_account');

-- CreateEnum
CREATE TYPE "TokenIntent" AS ENUM ('api', 'app_password', 'recovery', 'verification');

-- CreateEnum
CREATE TYPE "PermissionName" AS ENUM ('change_user', 'view_audit');

-- CreateEnum
CREATE TYPE "FlowDesignation" AS ENUM ('stage_configuration');

-- CreateEnum
CREATE TYPE "FlowAuthentication" AS ENUM ('none', 'require_authenticated', 'require_superuser');

-- CreateEnum
CREATE TYPE "StageKind" AS ENUM ('prompt', 'account_lockdown');

-- CreateEnum
CREATE TYPE "BindingCondition" AS ENUM ('always', 'admin_only', 'self_service_only');

-- CreateEnum
CREATE TYPE "PromptFieldType" AS ENUM ('text', 'text_area', 'text_read_only', 'alert_info', 'alert_warning', 'alert_danger', 'hidden');

-- CreateEnum
CREATE TYPE "LockdownStatus" AS ENUM ('pending', 'awaiting_input', 'running', 'completed', 'cancelled', 'failed');

-- CreateEnum
CREATE TYPE "LockdownTargetStatus" AS ENUM ('pending', 'running', 'locked', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "email" TEXT NOT NULL DEFAULT '',
    "password_hash" TEXT,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "is_superuser" BOOLEAN NOT NULL DEFAULT false,
    "type" "UserType" NOT NULL DEFAULT 'internal',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "key_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "last_ip" TEXT,
    "last_user_agent" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tokens" (
    "id" UUID NOT NULL,
    "identifier" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "key_hash" TEXT NOT NULL,
    "intent" "TokenIntent" NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "expires_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "permissions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "permission" "PermissionName" NOT NULL,
    "target_user_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "permissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "actor_id" UUID,
    "actor_snapshot" JSONB NOT NULL,
    "context" JSONB NOT NULL,
    "client_ip" TEXT,
    "lockdown_id" UUID,
    "workflow_id" TEXT,
    "dedup_key" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "brands" (
    "id" UUID NOT NULL,
    "domain" TEXT NOT NULL,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "flow_lockdown_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brands_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flows" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "designation" "FlowDesignation" NOT NULL DEFAULT 'stage_configuration',
    "authentication" "FlowAuthentication" NOT NULL DEFAULT 'require_authenticated',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "flows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stages" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "StageKind" NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flow_stage_bindings" (
    "id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "stage_id" UUID NOT NULL,
    "order" INTEGER NOT NULL,
    "condition" "BindingCondition" NOT NULL DEFAULT 'always',

    CONSTRAINT "flow_stage_bindings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prompt_fields" (
    "id" UUID NOT NULL,
    "stage_id" UUID NOT NULL,
    "field_key" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "type" "PromptFieldType" NOT NULL,
    "required" BOOLEAN NOT NULL DEFAULT false,
    "order" INTEGER NOT NULL DEFAULT 0,
    "placeholder" TEXT NOT NULL DEFAULT '',
    "sub_text" TEXT NOT NULL DEFAULT '',
    "initial_value" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "prompt_fields_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account_lockdown_stages" (
    "stage_id" UUID NOT NULL,
    "deactivate_user" BOOLEAN NOT NULL DEFAULT true,
    "set_unusable_password" BOOLEAN NOT NULL DEFAULT true,
    "delete_sessions" BOOLEAN NOT NULL DEFAULT true,
    "revoke_tokens" BOOLEAN NOT NULL DEFAULT true,
    "self_service_message_title" TEXT NOT NULL,
    "self_service_message" TEXT NOT NULL,
    "completion_flow_id" UUID,

    CONSTRAINT "account_lockdown_stages_pkey" PRIMARY KEY ("stage_id")
);

-- CreateTable
CREATE TABLE "lockdowns" (
    "id" UUID NOT NULL,
    "actor_id" UUID,
    "actor_username" TEXT NOT NULL,
    "reason" TEXT,
    "self_service" BOOLEAN NOT NULL,
    "status" "LockdownStatus" NOT NULL DEFAULT 'pending',
    "flow_slug" TEXT NOT NULL,
    "flow_snapshot" JSONB NOT NULL,
    "stage_index" INTEGER,
    "completion" JSONB,
    "error" TEXT,
    "workflow_id" TEXT NOT NULL,
    "run_id" TEXT,
    "client_ip" TEXT,
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "completed_at" TIMESTAMP(3),

    CONSTRAINT "lockdowns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lockdown_targets" (
    "id" UUID NOT NULL,
    "lockdown_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "username" TEXT NOT NULL,
    "status" "LockdownTargetStatus" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "actions" JSONB,
    "sessions_revoked" INTEGER NOT NULL DEFAULT 0,
    "tokens_revoked" INTEGER NOT NULL DEFAULT 0,
    "child_workflow_id" TEXT,
    "completed_at" TIMESTAMP(3),

    CONSTRAINT "lockdown_targets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE INDEX "users_is_active_idx" ON "users"("is_active");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_key_hash_key" ON "sessions"("key_hash");

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "tokens_identifier_key" ON "tokens"("identifier");

-- CreateIndex
CREATE UNIQUE INDEX "tokens_key_hash_key" ON "tokens"("key_hash");

-- CreateIndex
CREATE INDEX "tokens_user_id_idx" ON "tokens"("user_id");

-- CreateIndex
CREATE INDEX "permissions_user_id_permission_idx" ON "permissions"("user_id", "permission");

-- CreateIndex
CREATE UNIQUE INDEX "permissions_user_id_permission_target_user_id_key" ON "permissions"("user_id", "permission", "target_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "events_dedup_key_key" ON "events"("dedup_key");

-- CreateIndex
CREATE INDEX "events_action_created_at_idx" ON "events"("action", "created_at");

-- CreateIndex
CREATE INDEX "events_created_at_idx" ON "events"("created_at");

-- CreateIndex
CREATE INDEX "events_lockdown_id_idx" ON "events"("lockdown_id");

-- CreateIndex
CREATE UNIQUE INDEX "brands_domain_key" ON "brands"("domain");

-- CreateIndex
CREATE UNIQUE INDEX "flows_slug_key" ON "flows"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "stages_name_key" ON "stages"("name");

-- CreateIndex
CREATE UNIQUE INDEX "flow_stage_bindings_flow_id_order_key" ON "flow_stage_bindings"("flow_id", "order");

-- CreateIndex
CREATE UNIQUE INDEX "prompt_fields_stage_id_field_key_key" ON "prompt_fields"("stage_id", "field_key");

-- CreateIndex
CREATE UNIQUE INDEX "lockdowns_workflow_id_key" ON "lockdowns"("workflow_id");

-- CreateIndex
CREATE INDEX "lockdowns_status_created_at_idx" ON "lockdowns"("status", "created_at");

-- CreateIndex
CREATE INDEX "lockdowns_created_at_idx" ON "lockdowns"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "lockdowns_actor_id_idempotency_key_key" ON "lockdowns"("actor_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "lockdown_targets_user_id_idx" ON "lockdown_targets"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "lockdown_targets_lockdown_id_user_id_key" ON "lockdown_targets"("lockdown_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "lockdown_targets_lockdown_id_position_key" ON "lockdown_targets"("lockdown_id", "position");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "permissions" ADD CONSTRAINT "permissions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "permissions" ADD CONSTRAINT "permissions_target_user_id_fkey" FOREIGN KEY ("target_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_lockdown_id_fkey" FOREIGN KEY ("lockdown_id") REFERENCES "lockdowns"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "brands" ADD CONSTRAINT "brands_flow_lockdown_id_fkey" FOREIGN KEY ("flow_lockdown_id") REFERENCES "flows"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flow_stage_bindings" ADD CONSTRAINT "flow_stage_bindings_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flow_stage_bindings" ADD CONSTRAINT "flow_stage_bindings_stage_id_fkey" FOREIGN KEY ("stage_id") REFERENCES "stages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prompt_fields" ADD CONSTRAINT "prompt_fields_stage_id_fkey" FOREIGN KEY ("stage_id") REFERENCES "stages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_lockdown_stages" ADD CONSTRAINT "account_lockdown_stages_stage_id_fkey" FOREIGN KEY ("stage_id") REFERENCES "stages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_lockdown_stages" ADD CONSTRAINT "account_lockdown_stages_completion_flow_id_fkey" FOREIGN KEY ("completion_flow_id") REFERENCES "flows"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lockdowns" ADD CONSTRAINT "lockdowns_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lockdown_targets" ADD CONSTRAINT "lockdown_targets_lockdown_id_fkey" FOREIGN KEY ("lockdown_id") REFERENCES "lockdowns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lockdown_targets" ADD CONSTRAINT "lockdown_targets_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
