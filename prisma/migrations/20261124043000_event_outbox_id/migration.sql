-- Links each event to the outbox message that carried it, so feature rebuilds replay job by job.
-- AlterTable
ALTER TABLE "events" ADD COLUMN     "outbox_id" BIGINT;

-- CreateIndex
CREATE INDEX "events_outbox_id_idx" ON "events"("outbox_id");

