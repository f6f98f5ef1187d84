-- Flywheel core: append-only events, cart state, and the transactional outbox.
-- CreateEnum
CREATE TYPE "EventType" AS ENUM ('VIEW', 'CLICK', 'ADD_TO_CART', 'REMOVE_FROM_CART', 'PURCHASE', 'IMPRESSION');

-- CreateTable
CREATE TABLE "events" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "type" "EventType" NOT NULL,
    "user_id" TEXT NOT NULL,
    "session_id" TEXT,
    "product_id" TEXT,
    "campaign_id" TEXT,
    "recommendation_id" TEXT,
    "quantity" INTEGER NOT NULL DEFAULT 1,
    "unit_price" DECIMAL(12,2),
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cart_items" (
    "user_id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cart_items_pkey" PRIMARY KEY ("user_id","product_id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "events_user_id_product_id_idx" ON "events"("user_id", "product_id");

-- CreateIndex
CREATE INDEX "events_user_id_occurred_at_idx" ON "events"("user_id", "occurred_at");

-- CreateIndex
CREATE INDEX "events_product_id_occurred_at_idx" ON "events"("product_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "events_seq_key" ON "events"("seq");


-- The relay scans only unsent outbox rows; a partial index keeps that scan small however long the table grows.
CREATE INDEX "outbox_unsent_idx" ON "outbox"("id") WHERE "sent_at" IS NULL;
ALTER TABLE "events" ADD CONSTRAINT "events_quantity_range" CHECK ("quantity" BETWEEN 1 AND 10000);
ALTER TABLE "cart_items" ADD CONSTRAINT "cart_items_quantity_nonnegative" CHECK ("quantity" >= 0);
