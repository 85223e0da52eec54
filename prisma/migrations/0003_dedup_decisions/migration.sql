-- Every near-duplicate decision of a run, by the string engine, the LLM judge or the user:
-- nothing is merged silently. `origin` makes a retried write (the writer retries until the
-- insert succeeds) store each decision once.
CREATE TABLE "dedup_decisions" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    -- merged | kept-apart | judged-same | judged-different | user-merged | restored
    "kind" TEXT NOT NULL,
    "candidate" TEXT NOT NULL,
    -- The candidate's own entry when it is one (kept apart, restored), else null.
    "candidate_seq" INTEGER,
    -- The entry it was merged into or kept apart from.
    "entry_seq" INTEGER,
    "entry_text" TEXT NOT NULL,
    "reason" TEXT,
    "edit" TEXT,
    "cost" INTEGER,
    "sources" INTEGER,
    "verdict" TEXT,
    "producer" TEXT,
    "provider" TEXT,
    "model" TEXT,
    -- The later decision that settled this one (a kept-apart pair merged, a merge restored).
    "resolved_by" BIGINT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dedup_decisions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "dedup_decisions_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "dedup_decisions_run_id_origin_key" ON "dedup_decisions"("run_id", "origin");
CREATE INDEX "dedup_decisions_run_id_kind_id_idx" ON "dedup_decisions"("run_id", "kind", "id");
