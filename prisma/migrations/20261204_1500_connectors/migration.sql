-- Downstream connectors (issue 21): the systems an account also lives in, and one result row
-- per (lockdown, user, connector) — see activities/downstream.ts.
-- CreateEnum
CREATE TYPE "ConnectorKind" AS ENUM ('keycloak', 'scim');

-- CreateEnum
CREATE TYPE "AccountMappingKind" AS ENUM ('email', 'username', 'external_id');

-- CreateEnum
CREATE TYPE "DownstreamStatus" AS ENUM ('pending', 'running', 'done', 'not_found', 'failed');

-- CreateTable
CREATE TABLE "connectors" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ConnectorKind" NOT NULL,
    "base_url" TEXT NOT NULL,
    "realm" TEXT,
    "client_id" TEXT,
    "credential_sealed" TEXT NOT NULL,
    "mapping" "AccountMappingKind" NOT NULL DEFAULT 'email',
    "mapping_attribute" TEXT,
    "actions" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "connectors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "downstream_results" (
    "id" UUID NOT NULL,
    "lockdown_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "connector_id" UUID,
    "connector_name" TEXT NOT NULL,
    "connector_kind" "ConnectorKind" NOT NULL,
    "status" "DownstreamStatus" NOT NULL DEFAULT 'pending',
    "run" INTEGER NOT NULL DEFAULT 1,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "actions" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "remote_account_id" TEXT,
    "error" TEXT,
    "completed_at" TIMESTAMP(3),
    "re_enabled_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "downstream_results_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "connectors_name_key" ON "connectors"("name");

-- CreateIndex
CREATE INDEX "downstream_results_user_id_idx" ON "downstream_results"("user_id");

-- CreateIndex
CREATE INDEX "downstream_results_connector_id_idx" ON "downstream_results"("connector_id");

-- CreateIndex
CREATE INDEX "downstream_results_lockdown_id_connector_id_status_idx" ON "downstream_results"("lockdown_id", "connector_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "downstream_results_lockdown_id_user_id_connector_id_key" ON "downstream_results"("lockdown_id", "user_id", "connector_id");

-- AddForeignKey
ALTER TABLE "downstream_results" ADD CONSTRAINT "downstream_results_lockdown_id_user_id_fkey" FOREIGN KEY ("lockdown_id", "user_id") REFERENCES "lockdown_targets"("lockdown_id", "user_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "downstream_results" ADD CONSTRAINT "downstream_results_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "connectors"("id") ON DELETE SET NULL ON UPDATE CASCADE;
