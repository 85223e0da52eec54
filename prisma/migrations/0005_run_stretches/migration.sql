-- A run's whole history across resumes (issue #20): its stretches (start, stop, reason) and the
-- duplicate counters that, like the candidate count, have no rows of their own.
ALTER TABLE "runs" ADD COLUMN "stretches" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "runs" ADD COLUMN "total_dup_exact" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "runs" ADD COLUMN "total_dup_near" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "runs" ADD COLUMN "total_junk" INTEGER NOT NULL DEFAULT 0;

-- Older runs: their last stretch is all that was kept.
UPDATE "runs" SET "stretches" = jsonb_build_array(jsonb_build_object(
    'startedAt', (EXTRACT(EPOCH FROM "started_at") * 1000)::BIGINT,
    'stoppedAt', CASE WHEN "stopped_at" >= "started_at" THEN (EXTRACT(EPOCH FROM "stopped_at") * 1000)::BIGINT END,
    'reason', "stop_reason"))
  WHERE "started_at" IS NOT NULL;
