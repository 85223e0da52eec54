import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { startInputSchema } from "../../../lib/run-config";
import { entriesPage, runExists } from "../../orchestrator/repo";
import { findRunView, listRunViews } from "../../orchestrator/run-view";
import { int4, runIdSchema, safeText, storable } from "../../../lib/validation";
import { MAX_SUBTOPIC_LABEL_CHARS } from "../../../lib/prompt-branch";
import { publicProcedure, router } from "../trpc";
import { deleteStoredRun, importRun } from "../../orchestrator/stored-runs";

const runId = runIdSchema;
const branchIdSchema = int4({ min: 0 });

export const topicRouter = router({
  start: publicProcedure.input(startInputSchema).mutation(({ ctx, input }) => ctx.orchestrator.start(input)),

  // No input on purpose: tRPC 11.22 fails to parse the empty body a client sends for an
  // omitted optional input, so `topic.stop.mutate()` must not declare one.
  stop: publicProcedure.mutation(({ ctx }) => ctx.orchestrator.stop("stopped by user")),

  /** Resumes a stored run (interrupted, stopped or failed) with the settings it was started with. */
  resume: publicProcedure.input(z.object({ runId })).mutation(({ ctx, input }) => ctx.orchestrator.resume(input.runId)),

  /** Deletes a stored run's rows (refused for the active run); its output/<slug>/ folder only with `files`. */
  deleteRun: publicProcedure
    .input(z.object({ runId, files: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ctx.orchestrator.betweenRuns((at) => deleteStoredRun(ctx.db.prisma, at, input))),

  /**
   * A stored run made from an output.txt's lines (rows lost with the database), through the dedup
   * path: duplicates and junk are counted and listed. A large file comes in parts: the first call
   * creates the run, the next ones pass its `runId`.
   */
  importRun: publicProcedure
    .input(
      z.object({
        topic: startInputSchema.shape.topic,
        lines: z
          .array(storable(z.string().max(2_000, "a line has at most 2,000 characters")))
          .min(1, "no lines to import")
          .max(50_000, "at most 50,000 lines a call"),
        source: safeText({ min: 1, max: 200 }).default("output.txt"),
        runId: runId.optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.orchestrator.betweenRuns((at) => importRun(ctx.db.prisma, at, input, Date.now))),

  status: publicProcedure.query(({ ctx }) => ctx.orchestrator.snapshot()),

  /** Provider/models the form may offer: real ones only when their key is set, plus the simulator. */
  providers: publicProcedure.query(({ ctx }) => ({ providers: ctx.orchestrator.availableProviders() })),

  /** The history as RunViews, newest first: the active run's is the view topic.status shows. */
  list: publicProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).optional())
    .query(({ ctx, input }) => listRunViews(ctx.db.prisma, input?.limit ?? 50, ctx.orchestrator.snapshot().run, Date.now())),

  /** One run's view, as topic.list shows it (for a run older than the list's page). */
  run: publicProcedure.input(z.object({ runId })).query(async ({ ctx, input }) => {
    const view = await findRunView(ctx.db.prisma, ctx.orchestrator.snapshot().run, input.runId, Date.now());
    if (!view) throw new TRPCError({ code: "NOT_FOUND", message: `no run ${input.runId}` });
    return view;
  }),

  entries: publicProcedure
    .input(
      z.object({
        runId,
        /** Page by seq: entries with seq < before, newest first. */
        before: int4({ min: 1 }).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
        search: storable(z.string().trim().max(100, "at most 100 characters")).optional(),
        /** Only the entries this tree branch found. */
        branchId: branchIdSchema.optional(),
        /** Only entries with this verification verdict ("unverified": none yet). */
        verdict: z.enum(["verified", "unsure", "rejected", "unverified"]).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      if (!(await runExists(ctx.db.prisma, input.runId))) throw new TRPCError({ code: "NOT_FOUND", message: `no run ${input.runId}` });
      const rows = await entriesPage(ctx.db.prisma, input);
      const items = rows.map((r) => ({ ...r, createdAt: r.createdAt.getTime() }));
      const last = items[items.length - 1];
      return { items, nextBefore: items.length === input.limit && last ? last.seq : null };
    }),

  /** The run's topic tree: branches with label, path, state, entries, yield, coverage. */
  tree: publicProcedure.input(z.object({ runId })).query(async ({ ctx, input }) => {
    const t = await ctx.orchestrator.tree(input.runId);
    if (!t) throw new TRPCError({ code: "NOT_FOUND", message: `no run ${input.runId}` });
    return t;
  }),

  /** A subtopic added by hand under `parentId` (the active run). */
  addBranch: publicProcedure
    .input(
      z.object({
        runId,
        parentId: branchIdSchema,
        label: safeText({ min: 1, max: MAX_SUBTOPIC_LABEL_CHARS })
          .transform((s) => s.trim())
          .pipe(z.string().min(1, "label must not be blank")),
      }),
    )
    .mutation(({ ctx, input }) => ctx.orchestrator.editTree(input.runId, { addUnder: input.parentId, label: input.label })),

  /** No more calls to this branch and its subtree. */
  pruneBranch: publicProcedure
    .input(z.object({ runId, branchId: branchIdSchema }))
    .mutation(({ ctx, input }) => ctx.orchestrator.editTree(input.runId, { prune: input.branchId })),

  /** Undo of a prune: the branch (pruned itself, not under a pruned one) gets calls again. */
  unpruneBranch: publicProcedure
    .input(z.object({ runId, branchId: branchIdSchema }))
    .mutation(({ ctx, input }) => ctx.orchestrator.editTree(input.runId, { unprune: input.branchId })),

  /** This branch keeps getting calls and is never marked saturated. */
  pinBranch: publicProcedure
    .input(z.object({ runId, branchId: branchIdSchema }))
    .mutation(({ ctx, input }) => ctx.orchestrator.editTree(input.runId, { pin: input.branchId })),
});
