/** One benchmark figure beside its baseline from the same run. */
export interface Figure {
  readonly bench: string;
  readonly value: number;
  readonly baseline: number;
  readonly unit: string;
  /** What `ratio >= target` (or `<=` when lower is better) means for this figure. */
  readonly target?: { readonly ratio: number; readonly better: "higher" | "lower" };
  /** Quartiles of the per-turn ratios, for figures loaded in turns (`turnRatioQuartiles`). */
  readonly turns?: { readonly low: number; readonly high: number };
  /** The ratio of each round on fresh processes, for figures measured in rounds. */
  readonly rounds?: readonly number[];
}

/**
 * Prints figures as a table for people and as one JSON line each for tools:
 * `{"bench","value","baseline","ratio","unit"}`, plus `"turns": [p25, p75]` and
 * `"rounds": [ratio, ...]` where known.
 */
export function report(title: string, figures: readonly Figure[]): void {
  console.log(`\n${title}`);
  const rows = figures.map((figure) => {
    const ratio = figure.value / figure.baseline;
    const verdict = figure.target
      ? (
          figure.target.better === "higher"
            ? ratio >= figure.target.ratio
            : ratio <= figure.target.ratio
        )
        ? `meets ${figure.target.better === "higher" ? ">=" : "<="} ${figure.target.ratio}`
        : `MISSES ${figure.target.better === "higher" ? ">=" : "<="} ${figure.target.ratio}`
      : "";
    return [
      figure.bench,
      fmt(figure.value),
      fmt(figure.baseline),
      ratio.toFixed(3),
      figure.turns ? `${figure.turns.low.toFixed(3)}-${figure.turns.high.toFixed(3)}` : "",
      figure.unit,
      verdict,
      figure.rounds ? figure.rounds.map((ratio) => ratio.toFixed(3)).join(" ") : "",
    ];
  });
  const header = ["bench", "value", "baseline", "ratio", "turns p25-p75", "unit", "target"];
  if (figures.some((figure) => figure.rounds)) header.push("rounds");
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: readonly string[]) =>
    cells
      .slice(0, header.length)
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const figure of figures) {
    console.log(
      JSON.stringify({
        bench: figure.bench,
        value: round(figure.value),
        baseline: round(figure.baseline),
        ratio: round(figure.value / figure.baseline),
        unit: figure.unit,
        ...(figure.turns && { turns: [round(figure.turns.low), round(figure.turns.high)] }),
        ...(figure.rounds && { rounds: figure.rounds.map(round) }),
      }),
    );
  }
}

function fmt(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
