-- Issue 18 (console at 300 users): containment visible, one alert per lockdown.

-- Containment first records how many targets it made inactive, and when (activities/containment.ts).
ALTER TABLE "lockdowns" ADD COLUMN "contained_count" INTEGER,
ADD COLUMN "contained_at" TIMESTAMP(3),
-- Set by lockdown workflows that write a summary event when they end (patch lockdown-summary-alerts).
ADD COLUMN "summary_alerts" BOOLEAN NOT NULL DEFAULT false;

-- A notification rule alerts once per lockdown (its summary) unless it asks for one alert per user.
CREATE TYPE "NotificationRuleAlertPer" AS ENUM ('lockdown', 'user');
ALTER TABLE "notification_rules" ADD COLUMN "alert_per" "NotificationRuleAlertPer" NOT NULL DEFAULT 'lockdown';
