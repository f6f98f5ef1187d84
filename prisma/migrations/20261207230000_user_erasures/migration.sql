-- CreateTable
CREATE TABLE "user_erasures" (
    "id" TEXT NOT NULL,
    "subject_hash" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    "settled_at" TIMESTAMPTZ(3),
    "events_anonymised" INTEGER NOT NULL DEFAULT 0,
    "cart_items_removed" INTEGER NOT NULL DEFAULT 0,
    "redis_keys_removed" INTEGER NOT NULL DEFAULT 0,
    "pending_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "user_erasures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "user_erasures_subject_hash_idx" ON "user_erasures"("subject_hash");

