-- CreateTable
CREATE TABLE "runs" (
    "id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "stopped_at" TIMESTAMP(3),
    "stop_reason" TEXT,
    "total_unique" INTEGER NOT NULL DEFAULT 0,
    "total_candidates" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "entries" (
    "run_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "normalised_key" TEXT NOT NULL,
    "producer" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "entries_pkey" PRIMARY KEY ("run_id","seq")
);

-- CreateTable
CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "data" JSONB,
    "score" DOUBLE PRECISION,
    "scored_at" TIMESTAMP(3),
    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metric_samples" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "data" JSONB NOT NULL,
    CONSTRAINT "metric_samples_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "llm_calls" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "producer" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "prompt_tokens" INTEGER NOT NULL,
    "completion_tokens" INTEGER NOT NULL,
    "latency_ms" INTEGER NOT NULL,
    "items_parsed" INTEGER NOT NULL,
    "items_new" INTEGER NOT NULL,
    "cost_usd" DOUBLE PRECISION NOT NULL,
    "error" TEXT,
    CONSTRAINT "llm_calls_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "runs_slug_idx" ON "runs"("slug");

-- CreateIndex
CREATE INDEX "entries_run_id_batch_id_idx" ON "entries"("run_id", "batch_id");

-- CreateIndex
CREATE UNIQUE INDEX "entries_run_id_normalised_key_key" ON "entries"("run_id", "normalised_key");

-- CreateIndex
CREATE INDEX "events_run_id_at_idx" ON "events"("run_id", "at");

-- CreateIndex
CREATE INDEX "metric_samples_run_id_at_idx" ON "metric_samples"("run_id", "at");

-- CreateIndex
CREATE INDEX "llm_calls_run_id_at_idx" ON "llm_calls"("run_id", "at");

-- AddForeignKey
ALTER TABLE "entries" ADD CONSTRAINT "entries_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "metric_samples" ADD CONSTRAINT "metric_samples_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "llm_calls" ADD CONSTRAINT "llm_calls_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
