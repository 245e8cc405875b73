-- What caused a lockdown that no lockdown request asked for: `user_deactivated` (PATCH
-- /users/:id with isActive false) or `user_deleted` (DELETE /users/:id). NULL for lockdowns
-- requested through POST /lockdowns.
ALTER TABLE "lockdowns" ADD COLUMN "cause" TEXT;
