-- Ingest capacity (issue #18): the writer's flush inserts every new entry and upserts the support
-- of every re-proposal (bench/pipeline.ts: ~130 entries and ~150 support rows a flush, 25 flushes
-- a second). Each inserted row fired a foreign-key trigger that looked up and locked its run's row,
-- and each entry updated an index nothing reads. Replaying one capacity phase's flushes into PGlite
-- took 15-20 % less CPU without them.
-- Deleting a run names every table in one transaction (stored-run-repo.ts deleteRunRows), so the
-- cascade of these three foreign keys was never what removed their rows; the other tables keep
-- theirs (they are written a few times a second at most).
ALTER TABLE "entries" DROP CONSTRAINT "entries_run_id_fkey";
ALTER TABLE "entry_support" DROP CONSTRAINT "entry_support_run_id_fkey";
ALTER TABLE "dedup_decisions" DROP CONSTRAINT "dedup_decisions_run_id_fkey";
-- Batches are made idempotent in memory (batch-memory.ts); no query reads entries by batch.
DROP INDEX "entries_run_id_batch_id_idx";
