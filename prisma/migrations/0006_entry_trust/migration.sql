-- A list you can trust (issue #21).
-- Support per entry: distinct calls, producers and models that proposed it, re-proposals included;
-- the lists name the producers and models (a verifier must be another model).
ALTER TABLE "entries" ADD COLUMN "support_calls" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "entries" ADD COLUMN "support_producers" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "entries" ADD COLUMN "support_models" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "entries" ADD COLUMN "producer_list" TEXT NOT NULL DEFAULT '';
ALTER TABLE "entries" ADD COLUMN "model_list" TEXT NOT NULL DEFAULT '';
-- The verification verdict (TRUST_VERDICTS in src/lib/trust/policy.ts); null: not verified yet.
-- A rejected entry stays in the table (and the dedup index) but leaves output.txt.
ALTER TABLE "entries" ADD COLUMN "verdict" TEXT;
ALTER TABLE "entries" ADD COLUMN "verdict_at" TIMESTAMP(3);
CREATE INDEX "entries_run_id_verdict_idx" ON "entries"("run_id", "verdict");

-- Each verifier's opinion of an entry (yes, no, off, unsure), with the call that gave it (llm_calls.call_id).
CREATE TABLE "entry_checks" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "opinion" TEXT NOT NULL,
    "call_id" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "entry_checks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "entry_checks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "entry_checks_run_id_seq_idx" ON "entry_checks"("run_id", "seq");
