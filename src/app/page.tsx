import { Dashboard } from "./_components/dashboard";

export const dynamic = "force-dynamic";

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const run = typeof params.run === "string" && params.run.length > 0 && params.run.length <= 64 ? params.run : null;
  return <Dashboard runId={run} />;
}
