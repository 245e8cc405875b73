-- AlterTable: the lockdown's own transaction deactivated this target (containment on record).
ALTER TABLE "lockdown_targets" ADD COLUMN "contained_on_record" BOOLEAN NOT NULL DEFAULT false;
