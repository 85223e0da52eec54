import { z } from "zod";

/**
 * A stored metric sample (`metric_samples.data`, one every 5 s): written by the server's
 * sampler, read by the browser's charts. Samples written by older versions lack fields
 * (routing weights, coverage) or hold odd values: each field falls back on its own, so one
 * bad field never hides a sample.
 */
const count = z.number().refine(Number.isFinite).catch(0);
const nullableNumber = z.number().refine(Number.isFinite).nullable().catch(null);

export const targetSampleSchema = z.object({ unique: count, uniqueLastMinute: count, candidatesLastMinute: count });

/** Keeps the entries of a record that parse, drops the others. */
function recordOf<T extends z.ZodType>(value: T) {
  return z
    .record(z.string(), z.unknown())
    .catch({})
    .transform((raw) => {
      const out: Record<string, z.output<T>> = {};
      for (const [key, v] of Object.entries(raw)) {
        const parsed = value.safeParse(v);
        if (parsed.success) out[key] = parsed.data;
      }
      return out;
    });
}

export const metricSampleSchema = z.object({
  totalUnique: count,
  uniqueLastMinute: count,
  candidates: count,
  candidatesLastMinute: count,
  dupExact: count,
  dupNear: count,
  costUsd: count,
  tokens: count,
  /** Per "provider:model". */
  targets: recordOf(targetSampleSchema),
  /** Routing weights per "provider:model" (sum 1); empty in samples older than routing. */
  weights: recordOf(z.number().refine(Number.isFinite).min(0)),
  /** Share of the topic estimated found (0..1), and the estimated total; null before the first estimate. */
  coverage: nullableNumber,
  estimatedTotal: nullableNumber,
  /** How the estimate was made (chao1, zipf, blend, tree); null in older samples. */
  coverageMethod: z.string().max(20).nullable().catch(null),
});
export type MetricSampleData = z.output<typeof metricSampleSchema>;

/** Reads stored sample data of any age: never throws (a non-object reads as all zeros). */
export function readMetricSample(data: unknown): MetricSampleData {
  const parsed = metricSampleSchema.safeParse(typeof data === "object" && data !== null && !Array.isArray(data) ? data : {});
  // Every field has a fallback, so this only fails on a bug in the schema itself.
  if (!parsed.success) throw new Error(`metric sample: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
