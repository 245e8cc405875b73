-- OpenID Shared Signals / CAEP: receivers downstream, the keys that sign SETs, and one
-- delivery row per (audit event, receiver, CAEP event type) — see activities/security-events.ts.
-- CreateEnum
CREATE TYPE "SsfSubjectFormat" AS ENUM ('email', 'opaque');

-- CreateTable
CREATE TABLE "ssf_receivers" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "endpoint_url" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "authorization_header_sealed" TEXT,
    "events" TEXT[],
    "subject_format" "SsfSubjectFormat" NOT NULL DEFAULT 'opaque',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ssf_receivers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ssf_signing_keys" (
    "kid" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "private_jwk_sealed" TEXT NOT NULL,
    "current" BOOLEAN,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ssf_signing_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "security_event_deliveries" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "receiver_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "jti" UUID NOT NULL,
    "subject" JSONB NOT NULL,
    "status" "NotificationDeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "delivered_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "security_event_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ssf_receivers_name_key" ON "ssf_receivers"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ssf_signing_keys_current_key" ON "ssf_signing_keys"("current");

-- CreateIndex
CREATE UNIQUE INDEX "security_event_deliveries_jti_key" ON "security_event_deliveries"("jti");

-- CreateIndex
CREATE INDEX "security_event_deliveries_receiver_id_idx" ON "security_event_deliveries"("receiver_id");

-- CreateIndex
CREATE INDEX "security_event_deliveries_created_at_idx" ON "security_event_deliveries"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "security_event_deliveries_event_id_receiver_id_event_type_key" ON "security_event_deliveries"("event_id", "receiver_id", "event_type");

-- AddForeignKey
ALTER TABLE "security_event_deliveries" ADD CONSTRAINT "security_event_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "security_event_deliveries" ADD CONSTRAINT "security_event_deliveries_receiver_id_fkey" FOREIGN KEY ("receiver_id") REFERENCES "ssf_receivers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

