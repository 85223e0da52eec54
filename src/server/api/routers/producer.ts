import { helloInput, reportInput, submitInput, syncInput } from "../../../lib/protocol";
import { publicProcedure, router } from "../trpc";

/** Used by producer processes; every call carries the per-run secret (checked by the orchestrator). */
export const producerRouter = router({
  hello: publicProcedure.input(helloInput).mutation(({ ctx, input }) => ctx.orchestrator.hello(input, ctx.producerSecret)),
  sync: publicProcedure.input(syncInput).mutation(({ ctx, input }) => ctx.orchestrator.sync(input, ctx.producerSecret)),
  submit: publicProcedure.input(submitInput).mutation(({ ctx, input }) => ctx.orchestrator.submit(input, ctx.producerSecret)),
  report: publicProcedure.input(reportInput).mutation(({ ctx, input }) => {
    ctx.orchestrator.report(input, ctx.producerSecret);
    return { ok: true as const };
  }),
});
