-- A call record re-sent after a server restart (its batch's acknowledgement was lost)
-- must be stored and costed once.
ALTER TABLE "llm_calls" ADD COLUMN "call_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "llm_calls_run_id_call_id_key" ON "llm_calls"("run_id", "call_id");
