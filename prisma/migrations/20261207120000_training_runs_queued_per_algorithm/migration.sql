-- retrainModel trains on what is there when it is asked: a request joins a run that has not started yet, and
-- queues a new one (per algorithm) behind a run that has; an automatic run without enough data is SKIPPED.
-- AlterEnum
ALTER TYPE "TrainingRunStatus" ADD VALUE 'SKIPPED';

-- At most one waiting run per algorithm, whatever the application does; runs may be RUNNING side by side (several
-- workers), and one may wait behind them. Replaces "one queued-or-running run at any time".
DROP INDEX "training_runs_one_open";
CREATE UNIQUE INDEX "training_runs_one_queued" ON "training_runs"("algorithm") WHERE "status" = 'QUEUED';
