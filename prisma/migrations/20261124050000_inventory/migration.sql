-- Inventory: the stock movement ledger and threshold-crossing alerts.
-- CreateEnum
CREATE TYPE "StockMovementKind" AS ENUM ('INITIAL', 'PURCHASE', 'SET', 'ADJUST');

-- CreateEnum
CREATE TYPE "InventoryAlertKind" AS ENUM ('LOW_STOCK', 'OUT_OF_STOCK', 'BACK_IN_STOCK');

-- CreateTable
CREATE TABLE "stock_movements" (
    "id" BIGSERIAL NOT NULL,
    "product_id" TEXT NOT NULL,
    "kind" "StockMovementKind" NOT NULL,
    "delta" INTEGER NOT NULL,
    "resulting_stock" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "event_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_movements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inventory_alerts" (
    "id" BIGSERIAL NOT NULL,
    "product_id" TEXT NOT NULL,
    "kind" "InventoryAlertKind" NOT NULL,
    "stock" INTEGER NOT NULL,
    "threshold" INTEGER NOT NULL,
    "shortfall" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "stock_movements_product_id_id_idx" ON "stock_movements"("product_id", "id");

-- CreateIndex
CREATE INDEX "inventory_alerts_kind_id_idx" ON "inventory_alerts"("kind", "id");

-- CreateIndex
CREATE INDEX "inventory_alerts_product_id_id_idx" ON "inventory_alerts"("product_id", "id");


-- Low-stock screens list products at or below their threshold.
CREATE INDEX "products_low_stock_idx" ON "products"("id") WHERE "stock" <= "low_stock_threshold";
