-- An events.recorded message no longer copies its events: they are the events rows with its outbox_id, and the
-- relay reads them from there when it delivers a row the writer did not hand off (payload NULL).
-- AlterTable
ALTER TABLE "outbox" ALTER COLUMN "payload" DROP NOT NULL;
