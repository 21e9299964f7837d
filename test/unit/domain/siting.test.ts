import type { Highs } from "highs";
import { describe, expect, it } from "vitest";
import type { DemandPoint } from "../../../server/domain/coverage.ts";
import { distanceKm } from "../../../server/domain/geo.ts";
import { loadHighs } from "../../../server/domain/highs.ts";
import { seededRandom as random } from "../../../server/domain/random.ts";
import { type Candidate, siteNewDepots } from "../../../server/domain/siting.ts";

interface Instance {
  candidates: Candidate[];
  existing: Array<{ lat: number; lon: number }>;
  points: DemandPoint[];
  reachKm: number;
}

/** Sites and points scattered over about 330 x 270 km of Ningxia; a reach of 60 km. */
function instance(seed: number, candidates: number, points: number): Instance {
  const next = random(seed);
  const lat = () => 35.5 + next() * 3;
  const lon = () => 104.8 + next() * 3;
  return {
    candidates: Array.from({ length: candidates }, (_, j) => ({ id: `C${j}`, lat: lat(), lon: lon() })),
    existing: [{ lat: lat(), lon: lon() }],
    points: Array.from({ length: points }, (_, i) => ({
      id: `P${i}`,
      lat: lat(),
      lon: lon(),
      weight: 1 + Math.floor(next() * 50),
    })),
    reachKm: 60,
  };
}

function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - k; first++) {
    for (const rest of subsets(n - first - 1, k - 1)) out.push([first, ...rest.map((r) => r + first + 1)]);
  }
  return out;
}

/** The answer by trying every k-subset, with the geodesic directly: no index, no solver. */
function exhaustive(inst: Instance, k: number) {
  const within = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) =>
    distanceKm(a, b) <= inst.reachKm;
  const before = inst.points.filter((p) => inst.existing.some((e) => within(p, e)));
  const uncovered = inst.points.filter((p) => !inst.existing.some((e) => within(p, e)));
  const gain = (chosen: readonly number[]) =>
    uncovered
      .filter((p) => chosen.some((j) => within(p, inst.candidates[j] as Candidate)))
      .reduce((sum, p) => sum + p.weight, 0);
  let best = 0;
  for (const chosen of subsets(inst.candidates.length, Math.min(k, inst.candidates.length))) {
    best = Math.max(best, gain(chosen));
  }
  return {
    best,
    before: before.reduce((sum, p) => sum + p.weight, 0),
    total: inst.points.reduce((sum, p) => sum + p.weight, 0),
    gain,
  };
}

describe("siteNewDepots (maximal covering location)", () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`matches an exhaustive search over every 2 of 6 candidates (instance ${seed})`, async () => {
      const inst = instance(seed, 6, 15);
      const expected = exhaustive(inst, 2);
      const result = await siteNewDepots({ ...inst, k: 2 });
      expect(result.solver.status).toBe("Optimal");
      expect(result.chosen).toHaveLength(2);
      expect(result.weightNewlyCovered).toBe(expected.best);
      // The figure is that of the sites actually chosen, not the solver's word for it.
      const chosen = result.chosen.map((c) => inst.candidates.indexOf(c));
      expect(expected.gain(chosen)).toBe(result.weightNewlyCovered);
      expect(result.solver.objective).toBeCloseTo(expected.best, 6);
      expect(result.weightCoveredBefore).toBe(expected.before);
      expect(result.weightCoveredAfter).toBe(expected.before + expected.best);
      expect(result.totalWeight).toBe(expected.total);
    });
  }

  it("has some instance where the best pair is not the two best single sites", async () => {
    // Guards the test above against instances too easy to tell a MIP from a greedy choice.
    let found = false;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const inst = instance(seed, 6, 15);
      const { gain, best } = exhaustive(inst, 2);
      const singles = inst.candidates.map((_, j) => j).sort((a, b) => gain([b]) - gain([a]));
      if (gain(singles.slice(0, 2)) < best) found = true;
    }
    expect(found).toBe(true);
  });

  it("matches an exhaustive search for k = 3 of 8 on a larger instance", async () => {
    const inst = instance(42, 8, 40);
    const expected = exhaustive(inst, 3);
    const result = await siteNewDepots({ ...inst, k: 3 });
    expect(result.weightNewlyCovered).toBe(expected.best);
    expect(result.chosen).toHaveLength(3);
  });

  it("takes what it can when k exceeds the candidates", async () => {
    const inst = instance(3, 3, 15);
    const expected = exhaustive(inst, 3);
    const result = await siteNewDepots({ ...inst, k: 5 });
    expect(result.solver.status).toBe("Optimal");
    expect(result.chosen.length).toBeLessThanOrEqual(3);
    expect(result.weightNewlyCovered).toBe(expected.gain([0, 1, 2]));
    expect(result.weightNewlyCovered).toBe(expected.best);
  });

  it("gains nothing when the existing depots already cover every point", async () => {
    const inst = instance(5, 4, 10);
    // One existing depot in the middle of everything, with a reach that spans the whole area.
    const result = await siteNewDepots({ ...inst, existing: [{ lat: 37, lon: 106.3 }], reachKm: 400, k: 2 });
    expect(result.weightNewlyCovered).toBe(0);
    expect(result.weightCoveredBefore).toBe(result.totalWeight);
    expect(result.weightCoveredAfter).toBe(result.totalWeight);
    expect(result.solver.objective).toBe(0);
  });

  it("chooses nothing when there is nothing to choose", async () => {
    const inst = instance(1, 6, 15);
    for (const input of [
      { ...inst, k: 0 },
      { ...inst, candidates: [], k: 2 },
    ]) {
      const result = await siteNewDepots(input);
      expect(result.chosen).toEqual([]);
      expect(result.weightNewlyCovered).toBe(0);
      expect(result.solver).toEqual({ status: "Optimal", objective: 0, seconds: 0 });
      expect(result.weightCoveredBefore).toBe(exhaustive(inst, 0).before);
    }
  });

  it("counts weightless and unreachable points as nothing gained", async () => {
    const result = await siteNewDepots({
      candidates: [{ id: "near", lat: 38, lon: 106 }],
      existing: [],
      points: [
        { id: "zero", lat: 38.1, lon: 106, weight: 0 },
        { id: "far", lat: 30, lon: 100, weight: 7 },
        { id: "reached", lat: 38.2, lon: 106, weight: 3 },
      ],
      k: 1,
      reachKm: 50,
    });
    expect(result.chosen.map((c) => c.id)).toEqual(["near"]);
    expect(result.weightNewlyCovered).toBe(3);
    expect(result.totalWeight).toBe(10);
    expect(result.weightCoveredBefore).toBe(0);
  });

  it("uses an injected solver, and no caller's id ever reaches the model text", async () => {
    const real = await loadHighs();
    const models: string[] = [];
    const spy = {
      solve: (problem: string, options?: Parameters<Highs["solve"]>[1]) => {
        models.push(problem);
        return real.solve(problem, options);
      },
    } as unknown as Highs;
    const hostile = "x\nSubject To\n c0: y0 >= 1\nEnd";
    const inst = instance(2, 6, 15);
    const candidates = inst.candidates.map((c, j) => ({ ...c, id: `${hostile} ${j}` }));
    const points = inst.points.map((p, i) => ({ ...p, id: `${hostile} ${i}`, name: hostile }));
    const result = await siteNewDepots({ ...inst, candidates, points, k: 2, highs: spy });
    expect(models).toHaveLength(1);
    expect(models[0]).not.toContain("x\n");
    expect(models[0]).toMatch(/^\\ .*\nMaximize\n obj: /);
    expect(result.weightNewlyCovered).toBe(exhaustive(inst, 2).best);
    expect(result.chosen.every((c) => c.id.startsWith(hostile))).toBe(true);
  });

  it("rejects a k that is not a whole number of sites, and impossible reaches", async () => {
    const inst = instance(1, 6, 15);
    await expect(siteNewDepots({ ...inst, k: 1.5 })).rejects.toThrow(RangeError);
    await expect(siteNewDepots({ ...inst, k: -1 })).rejects.toThrow(RangeError);
    await expect(siteNewDepots({ ...inst, k: 1, reachKm: Number.NaN })).rejects.toThrow(RangeError);
    await expect(
      siteNewDepots({ ...inst, points: [{ id: "p", lat: 38, lon: 106, weight: -2 }], k: 1 }),
    ).rejects.toThrow(RangeError);
  });
});
