/**
 * Computation figures for `npm run bench`: coverage, the dispatch MIP and MCLP siting on
 * synthetic networks the size the issue names, each against its goal. In the bench's own process
 * (pure domain code, no server).
 */
import { pointCoverage } from "../../server/domain/coverage.ts";
import { planDispatch, type SupplySource } from "../../server/domain/dispatch.ts";
import { loadHighs } from "../../server/domain/highs.ts";
import { seededRandom } from "../../server/domain/random.ts";
import { siteNewDepots } from "../../server/domain/siting.ts";
import { command, type Row, row } from "./report.ts";

const TYPES = Array.from({ length: 17 }, (_, i) => `T${i}`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timed(runs: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn(); // warm-up: JIT, WebAssembly compile
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

export async function computeSection(): Promise<Row[]> {
  const random = seededRandom(42);
  const inRegion = () => ({ lat: 35.2 + random() * 4.2, lon: 104.2 + random() * 3.5 });
  const depots = Array.from({ length: 1000 }, (_, i) => ({
    code: `D${i}`,
    ...inRegion(),
    holdings: Object.fromEntries(TYPES.map((t) => [t, Math.floor(random() * 100)])),
  }));
  const points = Array.from({ length: 10000 }, (_, i) => ({
    id: `P${i}`,
    ...inRegion(),
    weight: 1 + random() * 100,
  }));
  const coverageMs = await timed(5, () => pointCoverage(depots, points, TYPES));

  const highs = await loadHighs();
  const sources: SupplySource[] = Array.from({ length: 200 }, (_, i) => ({
    code: `S${i}`,
    kind: i < 190 ? "own" : i < 196 ? "agreement" : "external",
    ...inRegion(),
    leadTimeHours: i < 190 ? 0 : 4,
    available: Object.fromEntries(TYPES.map((t) => [t, Math.floor(random() * 60)])),
  }));
  const demand = { lat: 38.0, lon: 106.2, quantities: Object.fromEntries(TYPES.map((t) => [t, 800])) };
  const dispatchMs = await timed(3, () => planDispatch(sources, demand, {}, highs));

  const candidates = Array.from({ length: 500 }, (_, i) => ({ id: `C${i}`, ...inRegion() }));
  const existing = depots.slice(0, 10);
  const sitingPoints = points.slice(0, 2000);
  const sitingMs = await timed(1, () =>
    siteNewDepots({ candidates, existing, points: sitingPoints, k: 3, reachKm: 60, highs }),
  );

  const timing = (figure: string, value: number, goalMs: number): Row =>
    row({
      section: "compute",
      figure,
      unit: "ms",
      value,
      goals: [{ kind: "max", on: "value", limit: goalMs }],
      command: command("compute"),
    });
  return [
    timing("coverage, 1,000 depots × 10,000 points × 17 types (median of 5)", coverageMs, 200),
    timing("dispatch MIP, 200 sources × 17 item types (median of 3)", dispatchMs, 500),
    timing("MCLP siting, 500 candidates, 2,000 points, k = 3", sitingMs, 5000),
  ];
}
