-- Ingest capacity (issue #18): an entry's support moves out of the wide `entries` row.
-- Each re-proposal updated that row (5 indexes), and with PGlite's planner statistics never
-- refreshed (no autovacuum) the UPDATE ... FROM unnest joined by hashing every entry of the run,
-- each writer flush: the cost grew with the run. A narrow table upserted by its key is probed
-- per row whatever the statistics say.
-- A row exists only for an entry proposed more than once: without one, an entry's support is its
-- own proposal (1 call, its producer, its provider:model). Support of a removed entry goes with
-- it (decision-repo.ts removeMergedEntry; no foreign key to entries, like entry_checks: a
-- support row queued before a merge must not fail the writer's flush).
CREATE TABLE "entry_support" (
    "run_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "calls" INTEGER NOT NULL,
    "producers" INTEGER NOT NULL,
    "models" INTEGER NOT NULL,
    "producer_list" TEXT NOT NULL,
    "model_list" TEXT NOT NULL,
    CONSTRAINT "entry_support_pkey" PRIMARY KEY ("run_id", "seq"),
    CONSTRAINT "entry_support_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

INSERT INTO "entry_support" ("run_id", "seq", "calls", "producers", "models", "producer_list", "model_list")
SELECT "run_id", "seq", "support_calls", "support_producers", "support_models", "producer_list", "model_list" FROM "entries"
WHERE "support_calls" <> 1 OR "producer_list" <> "producer" OR "model_list" <> "provider" || ':' || "model";

ALTER TABLE "entries" DROP COLUMN "support_calls";
ALTER TABLE "entries" DROP COLUMN "support_producers";
ALTER TABLE "entries" DROP COLUMN "support_models";
ALTER TABLE "entries" DROP COLUMN "producer_list";
ALTER TABLE "entries" DROP COLUMN "model_list";
