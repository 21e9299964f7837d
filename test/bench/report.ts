/**
 * Rows of the bench table and how they are printed: figure | unit | value | baseline | ratio | goal |
 * command. A goal is on the value (e.g. < 1000 ms) or on the ratio to the baseline (e.g. ≥ 0.5) and
 * the cell says whether it is met.
 */

export interface Goal {
  /** "max": the figure must stay below the limit; "min": reach at least the limit. */
  kind: "max" | "min";
  on: "value" | "ratio";
  limit: number;
}

export interface Row {
  section: string;
  figure: string;
  unit: string;
  value: number;
  /** The same figure from the baseline measured in the same run, and what it was. */
  baseline?: number;
  baselineLabel?: string;
  /** value / baseline. */
  ratio?: number;
  goals?: Goal[];
  /** Whether every goal is met (absent when the row has none). */
  met?: boolean;
  command: string;
  /** Details for bench.json (counts, checks, warnings). */
  detail?: Record<string, unknown>;
}

export const command = (section: string) => `npm run bench -- ${section}`;

/** A row with its ratio and goal verdict filled in. */
export function row(r: Omit<Row, "ratio" | "met">): Row {
  const ratio = r.baseline !== undefined && r.baseline > 0 ? r.value / r.baseline : undefined;
  const out: Row = { ...r, ...(ratio === undefined ? {} : { ratio }) };
  if (r.goals?.length) out.met = r.goals.every((g) => goalMet(out, g));
  return out;
}

function goalMet(r: Row, g: Goal): boolean {
  const x = g.on === "ratio" ? r.ratio : r.value;
  if (x === undefined || !Number.isFinite(x)) return false;
  return g.kind === "max" ? x < g.limit : x >= g.limit;
}

/** 12,345 / 123 / 12.3 / 1.23 / 50: precision that suits the magnitude. */
export function num(n: number | undefined): string {
  if (n === undefined) return "";
  if (!Number.isFinite(n)) return "n/a";
  const abs = Math.abs(n);
  const digits = abs >= 100 || Number.isInteger(n) ? 0 : abs >= 10 ? 1 : 2;
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function goalText(r: Row, g: Goal): string {
  const limit = g.on === "ratio" ? `${g.limit} × baseline` : `${num(g.limit)} ${r.unit}`;
  return `${g.kind === "max" ? "<" : "≥"} ${limit} ${goalMet(r, g) ? "✓" : "✗"}`;
}

const cell = (text: string) => text.replaceAll("|", "\\|");

export function markdownTable(rows: Row[]): string {
  const lines = [
    "| figure | unit | value | baseline | ratio | goal | command |",
    "|---|---|--:|--:|--:|---|---|",
  ];
  for (const r of rows) {
    const baseline =
      r.baseline === undefined ? "" : `${num(r.baseline)}${r.baselineLabel ? ` (${r.baselineLabel})` : ""}`;
    const ratio = r.ratio === undefined ? "" : r.ratio.toFixed(2);
    const goals = (r.goals ?? []).map((g) => goalText(r, g)).join("; ");
    lines.push(
      `| ${cell(r.figure)} | ${r.unit} | ${num(r.value)} | ${cell(baseline)} | ${ratio} | ${goals} | \`${r.command}\` |`,
    );
  }
  return lines.join("\n");
}
