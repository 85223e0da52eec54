import type { CoverageLine as Line } from "../_lib/routing-view";

type Props = {
  line: Line | null;
  /** A live run without an estimate yet: the line keeps its place and says when to expect one. */
  pending: boolean;
  /** Shown after the figures, e.g. "at the end of the run". */
  context?: string;
};

/** "About 42% of an estimated 1,234 found", with its band and how it is estimated. */
export function CoverageLine({ line, pending, context }: Props) {
  if (!line && !pending) return null;
  if (!line) {
    return (
      <div className="coverage pending-estimate" data-testid="coverage" data-state="pending">
        <p className="coverage-main hint">Coverage estimate: appears once the LLMs start re-proposing entries (usually within a minute).</p>
      </div>
    );
  }
  return (
    <div className="coverage" data-testid="coverage" data-state="known">
      <p className="coverage-main" data-testid="coverage-text">
        About <strong className="num">{line.percent}</strong>
        {line.estimatedTotal !== null ? (
          <>
            {" "}
            of an estimated <strong className="num">{line.estimatedTotal}</strong> found
          </>
        ) : (
          " of the topic found"
        )}
        {line.band && (
          <span className="coverage-band num" title="95% confidence interval on the estimated total" data-testid="coverage-band">
            {line.band}
          </span>
        )}
        {line.basis && (
          <span className="coverage-band" data-testid="coverage-basis">
            {line.basis}
          </span>
        )}
        {context && <span className="coverage-band">{context}</span>}
      </p>
      <details className="coverage-how" title={line.note}>
        <summary>{line.methodLabel ? `How? (${line.methodLabel})` : "How?"}</summary>
        <p>{line.note}</p>
      </details>
    </div>
  );
}
