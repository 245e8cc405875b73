-- Lockdowns that start themselves: password lockout after repeated failures (per brand's
-- policy, counted per user) and Shared Signals received from trusted transmitters
-- (services/password-lockout.ts, services/ssf-push.ts).

-- AlterTable
ALTER TABLE "lockdowns" ADD COLUMN "trigger" JSONB;

-- CreateTable
CREATE TABLE "password_lockout_policies" (
    "brand_id" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "attempts" INTEGER,
    "escalate" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "password_lockout_policies_pkey" PRIMARY KEY ("brand_id")
);

-- CreateTable
CREATE TABLE "password_lockouts" (
    "user_id" UUID NOT NULL,
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "last_failed_at" TIMESTAMP(3),
    "last_failed_ip" TEXT,
    "locked_at" TIMESTAMP(3),
    "brand_id" UUID,
    "escalation" TEXT,
    "escalation_error" TEXT,
    "lockdown_id" UUID,

    CONSTRAINT "password_lockouts_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "ssf_transmitters" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "jwks_url" TEXT,
    "jwks" JSONB,
    "audience" TEXT NOT NULL,
    "push_token_hash" TEXT NOT NULL,
    "events" JSONB NOT NULL,
    "all_users" BOOLEAN NOT NULL DEFAULT true,
    "group_id" UUID,
    "account_id" UUID,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ssf_transmitters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ssf_received_sets" (
    "transmitter_id" UUID NOT NULL,
    "jti" TEXT NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "event_id" UUID,
    "lockdown_id" UUID,

    CONSTRAINT "ssf_received_sets_pkey" PRIMARY KEY ("transmitter_id","jti")
);

-- CreateIndex
CREATE INDEX "password_lockouts_escalation_idx" ON "password_lockouts"("escalation");

-- CreateIndex
CREATE UNIQUE INDEX "ssf_transmitters_name_key" ON "ssf_transmitters"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ssf_transmitters_push_token_hash_key" ON "ssf_transmitters"("push_token_hash");

-- AddForeignKey
ALTER TABLE "password_lockout_policies" ADD CONSTRAINT "password_lockout_policies_brand_id_fkey" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "password_lockouts" ADD CONSTRAINT "password_lockouts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ssf_transmitters" ADD CONSTRAINT "ssf_transmitters_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ssf_transmitters" ADD CONSTRAINT "ssf_transmitters_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ssf_received_sets" ADD CONSTRAINT "ssf_received_sets_transmitter_id_fkey" FOREIGN KEY ("transmitter_id") REFERENCES "ssf_transmitters"("id") ON DELETE CASCADE ON UPDATE CASCADE;
