import { helloInput, reportInput, submitInput, syncInput, type ReportResult } from "../../../lib/protocol";
import { producerProcedure, router } from "../trpc";

/** Used by producer processes; `producerProcedure` authenticates each call with the run's secret. */
export const producerRouter = router({
  hello: producerProcedure.input(helloInput).mutation(({ ctx, input }) => ctx.orchestrator.producers.hello(ctx.run, input)),
  sync: producerProcedure.input(syncInput).mutation(({ ctx, input }) => ctx.orchestrator.producers.sync(ctx.run, input)),
  submit: producerProcedure.input(submitInput).mutation(({ ctx, input }) => ctx.orchestrator.producers.submit(ctx.run, input)),
  report: producerProcedure.input(reportInput).mutation(({ ctx, input }): ReportResult => {
    ctx.orchestrator.producers.report(ctx.run, input);
    return { ok: true };
  }),
});
