-- Campaigns, last-click attribution on events, and per-minute KPI and sales rollups.
-- CreateEnum
CREATE TYPE "CampaignStatus" AS ENUM ('DRAFT', 'ACTIVE', 'PAUSED', 'ENDED');

-- AlterTable
ALTER TABLE "events" ADD COLUMN     "attributed_campaign_id" TEXT;

-- CreateTable
CREATE TABLE "campaigns" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "CampaignStatus" NOT NULL DEFAULT 'DRAFT',
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "budget" DECIMAL(14,2) NOT NULL,
    "attribution_window_hours" INTEGER NOT NULL DEFAULT 24,
    "product_ids" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kpi_minutes" (
    "scope" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "impressions" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "add_to_carts" INTEGER NOT NULL DEFAULT 0,
    "conversions" INTEGER NOT NULL DEFAULT 0,
    "units" INTEGER NOT NULL DEFAULT 0,
    "revenue" DECIMAL(16,2) NOT NULL DEFAULT 0,

    CONSTRAINT "kpi_minutes_pkey" PRIMARY KEY ("scope","minute")
);

-- CreateTable
CREATE TABLE "product_sales_minutes" (
    "product_id" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "units" INTEGER NOT NULL DEFAULT 0,
    "revenue" DECIMAL(16,2) NOT NULL DEFAULT 0,

    CONSTRAINT "product_sales_minutes_pkey" PRIMARY KEY ("minute","product_id")
);

-- CreateTable
CREATE TABLE "job_state" (
    "name" TEXT NOT NULL,
    "value" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_state_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "campaigns_status_id_idx" ON "campaigns"("status", "id");


-- Last-click attribution looks up a user's recent campaign clicks.
CREATE INDEX "events_campaign_clicks_idx" ON "events"("user_id", "occurred_at") WHERE "type" = 'CLICK' AND "campaign_id" IS NOT NULL;
-- KPI recounts and rollups read events by campaign.
CREATE INDEX "events_campaign_idx" ON "events"("campaign_id", "occurred_at") WHERE "campaign_id" IS NOT NULL;
CREATE INDEX "events_attributed_campaign_idx" ON "events"("attributed_campaign_id", "occurred_at") WHERE "attributed_campaign_id" IS NOT NULL;
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_window" CHECK ("ends_at" > "starts_at");
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_budget_nonnegative" CHECK ("budget" >= 0);
-- The KPI rollup recomputes the minutes touched by recently recorded events.
CREATE INDEX "events_recorded_at_idx" ON "events"("recorded_at");
-- Rollups read events by the minute they occurred in.
CREATE INDEX "events_occurred_at_idx" ON "events"("occurred_at");
