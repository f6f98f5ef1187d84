-- Model registry, training runs and A/B experiments.
-- CreateEnum
CREATE TYPE "ModelStatus" AS ENUM ('CANDIDATE', 'ACTIVE', 'REJECTED', 'RETIRED');

-- CreateEnum
CREATE TYPE "TrainingRunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "model_versions" (
    "id" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "metrics" JSONB NOT NULL,
    "trained_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "training_events" INTEGER NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "status" "ModelStatus" NOT NULL DEFAULT 'CANDIDATE',
    "artifact" BYTEA NOT NULL,

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_runs" (
    "id" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "status" "TrainingRunStatus" NOT NULL DEFAULT 'QUEUED',
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "model_version_id" TEXT,
    "error" TEXT,

    CONSTRAINT "training_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "experiments" (
    "id" TEXT NOT NULL,
    "variants" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "experiments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "model_versions_status_idx" ON "model_versions"("status");

-- CreateIndex
CREATE INDEX "model_versions_trained_at_idx" ON "model_versions"("trained_at");

-- CreateIndex
CREATE INDEX "training_runs_status_idx" ON "training_runs"("status");


-- At most one ACTIVE model and one queued-or-running training at any time, whatever the application does.
CREATE UNIQUE INDEX "model_versions_one_active" ON "model_versions"("status") WHERE "status" = 'ACTIVE';
CREATE UNIQUE INDEX "training_runs_one_open" ON "training_runs"((true)) WHERE "status" IN ('QUEUED', 'RUNNING');
-- Experiment results read events by the list (and so the variant) that showed the product.
CREATE INDEX "events_recommendation_idx" ON "events"("recommendation_id") WHERE "recommendation_id" IS NOT NULL;
