-- The topic tree of a run (issue #9): one row per branch, ids numbered per run (the root is 0).
CREATE TABLE "branches" (
    "run_id" TEXT NOT NULL,
    "id" INTEGER NOT NULL,
    "parent_id" INTEGER,
    "label" TEXT NOT NULL,
    "path" JSONB NOT NULL,
    "state" TEXT NOT NULL,
    "proposed_by" TEXT,
    "calls" INTEGER NOT NULL DEFAULT 0,
    "candidates" INTEGER NOT NULL DEFAULT 0,
    "new_entries" INTEGER NOT NULL DEFAULT 0,
    "reproposals" INTEGER NOT NULL DEFAULT 0,
    "tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "branches_pkey" PRIMARY KEY ("run_id", "id"),
    CONSTRAINT "branches_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- The branch whose call found the entry; null in flat runs and for entries older than the tree.
ALTER TABLE "entries" ADD COLUMN "branch_id" INTEGER;
CREATE INDEX "entries_run_id_branch_id_idx" ON "entries"("run_id", "branch_id");
