/**
 * Where new depots would help: the maximal covering location problem (Church & ReVelle, 1974) with
 * the existing depots fixed. Of the candidate sites, choose k that bring the most demand weight newly
 * within reach. Pure apart from the solver, which is a WebAssembly module with no I/O; its loader is
 * injected or loaded once (highs.ts).
 */
import type { Highs } from "highs";
import { type DemandPoint, indexSites } from "./coverage.ts";
import type { LatLon } from "./geo.ts";
import { loadHighs } from "./highs.ts";

export interface Candidate {
  id: string;
  lat: number;
  lon: number;
}

export interface SitingResult {
  /** The chosen candidates, in the candidates' order. */
  chosen: Candidate[];
  /** Weight of the points the chosen sites bring within reach that no existing depot reaches. */
  weightNewlyCovered: number;
  weightCoveredBefore: number;
  weightCoveredAfter: number;
  totalWeight: number;
  solver: {
    /** HiGHS's model status ("Optimal"); also "Optimal" when there was nothing to choose. */
    status: string;
    /** The MIP's objective in weight units (0 when no solver ran). */
    objective: number;
    seconds: number;
  };
}

/** Objective terms per line of LP text: the format is line-oriented, and long lines help nobody. */
const TERMS_PER_LINE = 8;

function assertFinitePosition(what: string, p: LatLon): void {
  if (!Number.isFinite(p.lat) || p.lat < -90 || p.lat > 90 || !Number.isFinite(p.lon)) {
    throw new RangeError(`${what}: invalid position (${p.lat}, ${p.lon})`);
  }
}

/** "a + b + c" (or "a - b - c") over several lines, each term already carrying its coefficient. */
function sumText(terms: readonly string[], operator: " + " | " - " = " + "): string {
  const lines: string[] = [];
  for (let i = 0; i < terms.length; i += TERMS_PER_LINE) {
    lines.push(terms.slice(i, i + TERMS_PER_LINE).join(operator));
  }
  return lines.join(`\n ${operator}`);
}

/**
 * Chooses k candidate sites maximising the demand weight newly covered: points not already within
 * reachKm (geodesic, inclusive) of an existing depot. Points already covered are left out of the
 * model (their weight is weightCoveredBefore), and so are points no candidate reaches.
 *
 * MIP: binary y_j per candidate, binary z_i per uncovered point, z_i <= sum of y_j over the
 * candidates j that reach i, sum y_j = k (<= k when there are fewer candidates than k), maximise
 * sum w_i z_i. Written as CPLEX LP text with generated names only (y0, y1, z0, ...): nothing from a
 * caller's ids reaches the text, so no id can break or inject into the model.
 */
export async function siteNewDepots(input: {
  candidates: readonly Candidate[];
  existing: ReadonlyArray<LatLon>;
  points: readonly DemandPoint[];
  k: number;
  reachKm: number;
  highs?: Highs;
}): Promise<SitingResult> {
  const { candidates, existing, points, k, reachKm } = input;
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be an integer >= 0, got ${k}`);
  if (!Number.isFinite(reachKm) || reachKm < 0) {
    throw new RangeError(`reachKm must be a finite number >= 0, got ${reachKm}`);
  }
  for (const [j, c] of candidates.entries()) assertFinitePosition(`candidate ${j}`, c);
  for (const [i, p] of points.entries()) {
    assertFinitePosition(`demand point ${i}`, p);
    // A negative or unknown weight would make the objective meaningless: a data error, said out loud.
    if (!Number.isFinite(p.weight) || p.weight < 0) {
      throw new RangeError(`demand point ${i}: weight must be a finite number >= 0, got ${p.weight}`);
    }
  }

  const existingIndex = indexSites(existing);
  const candidateIndex = indexSites(candidates);
  let totalWeight = 0;
  let weightCoveredBefore = 0;
  /** The points a new site could still gain: uncovered, with weight, within reach of some candidate. */
  const open: Array<{ weight: number; reachedBy: number[] }> = [];
  for (const point of points) {
    totalWeight += point.weight;
    if (existingIndex.anyWithin(point, reachKm)) {
      weightCoveredBefore += point.weight;
      continue;
    }
    // A weightless point adds nothing to the objective; leaving it out keeps the model smaller.
    if (point.weight === 0) continue;
    const reachedBy = candidateIndex.within(point, reachKm).map((c) => c.index);
    if (reachedBy.length > 0) open.push({ weight: point.weight, reachedBy });
  }

  const sites = Math.min(k, candidates.length);
  let chosenFlags: boolean[] = candidates.map(() => false);
  let solver = { status: "Optimal", objective: 0, seconds: 0 };
  // Choosing nothing from nothing is trivially optimal: no model to solve.
  if (sites > 0) {
    const solved = solve(input.highs ?? (await loadHighs()), candidates.length, open, k);
    chosenFlags = solved.chosen;
    solver = solved.solver;
  }

  // The gain is recounted from the choice itself, in point order, rather than read from the solver's
  // floating-point objective: it is the figure users compare.
  let weightNewlyCovered = 0;
  for (const point of open) {
    if (point.reachedBy.some((j) => chosenFlags[j] === true)) weightNewlyCovered += point.weight;
  }
  return {
    chosen: candidates.filter((_, j) => chosenFlags[j] === true),
    weightNewlyCovered,
    weightCoveredBefore,
    weightCoveredAfter: weightCoveredBefore + weightNewlyCovered,
    totalWeight,
    solver,
  };
}

function solve(
  highs: Highs,
  candidateCount: number,
  open: ReadonlyArray<{ weight: number; reachedBy: readonly number[] }>,
  k: number,
): { chosen: boolean[]; solver: SitingResult["solver"] } {
  // Weights are scaled so the largest is 1: HiGHS reads a cost of 1e20 or more as infinite, and
  // coefficients near 1 keep its tolerances meaningful whatever unit the weights are in.
  const scale = open.reduce((max, p) => Math.max(max, p.weight), 0) || 1;
  const y = (j: number) => `y${j}`;
  const z = (i: number) => `z${i}`;
  const objective = open.map((p, i) => `${p.weight / scale} ${z(i)}`);
  const ys = Array.from({ length: candidateCount }, (_, j) => y(j));
  const rows = open.map((p, i) => ` c${i}: ${z(i)} - ${sumText(p.reachedBy.map(y), " - ")} <= 0`);
  // Exactly k when there are enough candidates: the question is where k depots go.
  const sitesRow = ` sites: ${sumText(ys)} ${k <= candidateCount ? "=" : "<="} ${k}`;
  const lp = [
    "\\ Maximal covering location (Church & ReVelle 1974), generated",
    "Maximize",
    ` obj: ${sumText(objective)}`,
    "Subject To",
    ...rows,
    sitesRow,
    "Binaries",
    ...chunk([...ys, ...open.map((_, i) => z(i))]),
    "End",
  ].join("\n");

  const started = performance.now();
  // The default relative gap (1e-4) lets HiGHS stop up to 0.01 % short of the best choice; a choice of
  // depots is not a place to leave people out for speed, so the search closes the gap.
  const result = highs.solve(lp, { output_flag: false, mip_rel_gap: 0 });
  const seconds = (performance.now() - started) / 1000;
  if (result.Status !== "Optimal") {
    throw new Error(`the siting model did not solve to optimality: ${result.Status}`);
  }
  const chosen = ys.map((name) => (result.Columns[name]?.Primal ?? 0) > 0.5);
  return { chosen, solver: { status: result.Status, objective: result.ObjectiveValue * scale, seconds } };
}

function chunk(names: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += 16) lines.push(` ${names.slice(i, i + 16).join(" ")}`);
  return lines;
}
