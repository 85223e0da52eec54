/**
 * A plain-text table for the CLI: a header row, columns padded to their widest cell, numbers
 * (columns marked "right") aligned on the right. The last column is never padded (free text).
 */
export type Column = { header: string; align?: "left" | "right" };

export function textTable(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? "";
        if (i === columns.length - 1) return cell;
        return c.align === "right" ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)];
}
