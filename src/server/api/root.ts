import { dedupRouter } from "./routers/dedup";
import { metricsRouter } from "./routers/metrics";
import { optimizationRouter } from "./routers/optimization";
import { producerRouter } from "./routers/producer";
import { topicRouter } from "./routers/topic";
import { trustRouter } from "./routers/trust";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  topic: topicRouter,
  metrics: metricsRouter,
  optimization: optimizationRouter,
  producer: producerRouter,
  dedup: dedupRouter,
  trust: trustRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
