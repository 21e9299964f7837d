/**
 * The rescue circle (两小时200公里应急救援圈): is every place within reach of a depot that can supply
 * it, for every kind of supply, and what would losing one depot cost. Pure: the caller gathers the
 * depots, their stock and the demand points; this decides what is covered. No I/O.
 *
 * Every decision that a place is within reach is made on a geodesic distance over WGS84 (geo.ts).
 * The spatial index and the straight-line chord below only rule out depots that are provably too
 * far, so that the geodesic (about 3 µs a call) is computed a handful of times per point rather than
 * once per depot: the answers are the ones a geodesic check of every depot would give.
 */
import { area, bbox, circle, difference, featureCollection, union } from "@turf/turf";
import geodesic from "geographiclib-geodesic";
import type { BBox, Feature, FeatureCollection, MultiPolygon, Polygon } from "geojson";
import KDBush from "kdbush";
import { distanceKm, type LatLon } from "./geo.ts";

export interface CoverageParams {
  /** The circle's radius as the crow flies, km (the "200 km"). */
  radiusKm: number;
  /** The time within which supplies must arrive (the "2 hours"). */
  hours: number;
  /** Average road speed of a loaded convoy, km/h. */
  speedKmh: number;
  /** Road km per straight-line km (road network detour factor), at least 1. */
  circuity: number;
}

export const DEFAULT_COVERAGE_PARAMS: CoverageParams = Object.freeze({
  radiusKm: 200,
  hours: 2,
  speedKmh: 80,
  circuity: 1.3,
});

/**
 * The straight-line distance a depot reaches: min(radiusKm, hours x speedKmh / circuity).
 * The target is "2 hours AND 200 km", and both must hold. Trucks drive roads, not straight lines:
 * a place d km away as the crow flies is about d x circuity km by road, which takes
 * d x circuity / speedKmh hours; it must not exceed the hours. With the defaults the time is the
 * binding limit (2 x 80 / 1.3 = 123 km), so a map drawn with 200 km circles would overstate coverage.
 */
export function reachKm(p: Partial<CoverageParams> = DEFAULT_COVERAGE_PARAMS): number {
  const params = resolveParams(p);
  return Math.min(params.radiusKm, (params.hours * params.speedKmh) / params.circuity);
}

export interface Depot {
  code: string;
  lat: number;
  lon: number;
  /** Units available per item type. */
  holdings: Readonly<Record<string, number>>;
  /**
   * Per item type, the quantity the depot must hold for a point to count as covered by it for that
   * type (e.g. its minimum standard); missing = 1.
   */
  thresholds?: Readonly<Record<string, number>>;
}

export interface DemandPoint {
  id: string;
  name?: string;
  lat: number;
  lon: number;
  /** What the point stands for (people, incidents, area share); at least 0. */
  weight: number;
}

export interface PointCoverage {
  pointId: string;
  /** In the order of the item types asked about. */
  coveredTypes: string[];
  uncoveredTypes: string[];
  /** The nearest depot of all, whatever it holds and however far; null only when there are none. */
  nearestDepot: { code: string; distanceKm: number } | null;
  /** Covered for every item type asked about (false when none was asked about). */
  coveredAll: boolean;
}

export interface CoverageResult {
  params: CoverageParams;
  reachKm: number;
  itemTypes: string[];
  points: PointCoverage[];
  /** The sum of all points' weights. */
  totalWeight: number;
  /** Weight of the points covered for every item type, and its share of the total weight. */
  weightCoveredAll: number;
  weightShareAll: number;
  perItemType: Array<{
    itemTypeCode: string;
    weightCovered: number;
    weightShare: number;
    pointsUncovered: string[];
  }>;
}

export interface DepotLoss {
  depotCode: string;
  /** Weight covered for every item type with this depot out of service, and its share. */
  weightCoveredAll: number;
  weightShareAll: number;
  /** The points that lose some item type because no other depot in reach holds it; point order. */
  pointsLosingCoverage: Array<{ pointId: string; lostTypes: string[] }>;
}

export interface AreaCoverage {
  areaKm2: number;
  coveredKm2: number;
  /** Covered share of the region's area, 0..1. */
  coveredShare: number;
  /** The parts of the region outside every circle, or null when none is. */
  uncovered: Feature<MultiPolygon> | null;
  /** One circle per depot, in the depots' order, for drawing. */
  circles: FeatureCollection<Polygon>;
}

// ---------------------------------------------------------------------------------------------
// Geometry that lets the index skip depots safely.

const WGS84 = geodesic.Geodesic.WGS84;
const A_KM = WGS84.a / 1000;
const E2 = WGS84.f * (2 - WGS84.f);
/** The smallest meridional radius of curvature of WGS84, a(1 - e²), reached at the equator. */
const M_MIN_KM = A_KM * (1 - E2);
const DEG_PER_RAD = 180 / Math.PI;

/**
 * "Within 200 km" includes 200 km. A point constructed exactly at the radius (Direct then Inverse)
 * comes back a few picometres over or under it from round-off, so a millimetre of slack keeps such a
 * point in; a millimetre means nothing on the road.
 */
const EDGE_TOLERANCE_KM = 1e-6;

/**
 * A search radius at which every depot on Earth is a candidate: the bounding box spans the globe and
 * every chord (at most 2a = 12,756 km) is shorter. Longer than any geodesic on WGS84 (half a
 * meridian, 20,004 km).
 */
const WHOLE_EARTH_KM = 20_100;

/** Where the search for the nearest depot goes next when none lies within the reach. */
const FIRST_NEAREST_STEP_KM = 50;

type Box = [west: number, south: number, east: number, north: number];

/**
 * Longitude/latitude boxes that contain every point within radiusKm (geodesic) of (lat, lon).
 * Rigorous on the ellipsoid, not a spherical guess: the line element is
 * ds² = M² dφ² + (N cos φ)² dλ², with M >= a(1 - e²) and N >= a. So a path of length r changes the
 * latitude by at most r / M_min, and along a path that stays in that latitude band the longitude by at
 * most r / (a cos φ_far), φ_far being the band's latitude farthest from the equator. The box is a
 * little larger than needed, which costs a few extra chord checks, never a missed depot.
 */
function searchBoxes(lat: number, lon: number, radiusKm: number): Box[] {
  const r = radiusKm + 2 * EDGE_TOLERANCE_KM;
  // The relative margin absorbs floating-point round-off in the bounds themselves.
  const dLat = (r / M_MIN_KM) * DEG_PER_RAD * (1 + 1e-9);
  const south = Math.max(-90, lat - dLat);
  const north = Math.min(90, lat + dLat);
  const farLat = Math.max(Math.abs(lat - dLat), Math.abs(lat + dLat));
  // A pole within reach: every meridian passes through it.
  if (farLat >= 90) return [[-180, south, 180, north]];
  const dLon = (r / (A_KM * Math.cos(farLat / DEG_PER_RAD))) * DEG_PER_RAD * (1 + 1e-9);
  if (dLon >= 180) return [[-180, south, 180, north]];
  const west = lon - dLon;
  const east = lon + dLon;
  // Indexed longitudes lie in [-180, 180): a box across the antimeridian is split in two.
  if (west < -180) {
    return [
      [west + 360, south, 180, north],
      [-180, south, east, north],
    ];
  }
  if (east >= 180) {
    return [
      [west, south, 180, north],
      [-180, south, east - 360, north],
    ];
  }
  return [[west, south, east, north]];
}

function normalizeLon(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** Earth-centred Cartesian coordinates (km) of a point on the WGS84 ellipsoid's surface. */
function ecef(lat: number, lon: number): [number, number, number] {
  const phi = lat / DEG_PER_RAD;
  const lambda = lon / DEG_PER_RAD;
  const sinPhi = Math.sin(phi);
  const n = A_KM / Math.sqrt(1 - E2 * sinPhi * sinPhi);
  const cosPhi = Math.cos(phi);
  return [n * cosPhi * Math.cos(lambda), n * cosPhi * Math.sin(lambda), n * (1 - E2) * sinPhi];
}

function isPosition(lat: number, lon: number): boolean {
  return Number.isFinite(lat) && lat >= -90 && lat <= 90 && Number.isFinite(lon);
}

/** `what` names the thing only when the position is wrong: building the text costs on every point. */
function assertPosition(lat: number, lon: number, what: () => string): void {
  if (!isPosition(lat, lon)) throw new RangeError(`${what()}: invalid position (${lat}, ${lon})`);
}

interface PreparedPoint extends LatLon {
  x: number;
  y: number;
  z: number;
}

function preparePoint(lat: number, lon: number): PreparedPoint {
  const [x, y, z] = ecef(lat, lon);
  return { lat, lon, x, y, z };
}

interface SpatialIndex {
  size: number;
  sites: LatLon[];
  /** x, y, z of site i at 3i, 3i+1, 3i+2. */
  xyz: Float64Array;
  tree: KDBush;
}

function buildIndex(sites: ReadonlyArray<LatLon>, what: string): SpatialIndex {
  const size = sites.length;
  const xyz = new Float64Array(3 * size);
  // KDBush needs at least one slot; an empty index is never queried for anything but emptiness.
  const tree = new KDBush(Math.max(size, 1));
  const copies: LatLon[] = [];
  sites.forEach((site, i) => {
    assertPosition(site.lat, site.lon, () => `${what} ${i}`);
    const [x, y, z] = ecef(site.lat, site.lon);
    xyz[3 * i] = x;
    xyz[3 * i + 1] = y;
    xyz[3 * i + 2] = z;
    tree.add(normalizeLon(site.lon), site.lat);
    copies.push({ lat: site.lat, lon: site.lon });
  });
  if (size === 0) tree.add(0, 0);
  tree.finish();
  return { size, sites: copies, xyz, tree };
}

/**
 * The sites that may lie within a radius of one point, with their chord and a memo of their geodesic.
 * One buffer serves every point of a computation and grows as needed: thousands of searches with
 * fresh arrays each would keep the garbage collector busier than the search itself.
 */
class Candidates {
  count = 0;
  ids = new Int32Array(256);
  /**
   * Straight-line (3-D) distance through the Earth. A geodesic is a path on the surface between the
   * same two points, so it is never shorter: chord > r proves a site is farther than r. It is only
   * ever used to rule sites out, never to rule them in.
   */
  chords = new Float64Array(256);
  /** Geodesic distance, NaN until computed. */
  geo = new Float64Array(256);

  add(id: number, chord: number): void {
    if (this.count === this.ids.length) {
      const grown = 2 * this.count;
      const ids = new Int32Array(grown);
      ids.set(this.ids);
      this.ids = ids;
      const chords = new Float64Array(grown);
      chords.set(this.chords);
      this.chords = chords;
      // Copied too: a fresh array would read 0 km, "measured and in reach", for every site so far.
      const geo = new Float64Array(grown);
      geo.set(this.geo);
      this.geo = geo;
    }
    this.ids[this.count] = id;
    this.chords[this.count] = chord;
    this.geo[this.count] = Number.NaN;
    this.count++;
  }
}

/** Fills `c` with the sites whose chord to p is at most radiusKm (and so every site within it). */
function gather(index: SpatialIndex, p: PreparedPoint, radiusKm: number, c: Candidates): void {
  c.count = 0;
  if (index.size === 0) return;
  const limit = radiusKm + 2 * EDGE_TOLERANCE_KM;
  const xyz = index.xyz;
  for (const [west, south, east, north] of searchBoxes(p.lat, normalizeLon(p.lon), radiusKm)) {
    for (const i of index.tree.range(west, south, east, north)) {
      const dx = (xyz[3 * i] ?? 0) - p.x;
      const dy = (xyz[3 * i + 1] ?? 0) - p.y;
      const dz = (xyz[3 * i + 2] ?? 0) - p.z;
      const chord = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (chord <= limit) c.add(i, chord);
    }
  }
}

function geodesicAt(index: SpatialIndex, p: LatLon, c: Candidates, k: number): number {
  const known = c.geo[k] ?? Number.NaN;
  if (!Number.isNaN(known)) return known;
  const site = index.sites[c.ids[k] ?? -1];
  if (site === undefined) throw new Error("candidate outside the index");
  const d = distanceKm(p, site);
  c.geo[k] = d;
  return d;
}

interface Nearest {
  index: number;
  distanceKm: number;
}

/** The geodesically nearest of the candidates; equal distances go to the site listed first. */
function nearestAmong(index: SpatialIndex, p: LatLon, c: Candidates): Nearest | null {
  if (c.count === 0) return null;
  let first = 0;
  for (let k = 1; k < c.count; k++) if ((c.chords[k] ?? 0) < (c.chords[first] ?? 0)) first = k;
  let bestIndex = c.ids[first] ?? -1;
  let bestKm = geodesicAt(index, p, c, first);
  for (let k = 0; k < c.count; k++) {
    // A chord longer than the best geodesic so far means a longer geodesic too.
    if (k === first || (c.chords[k] ?? 0) > bestKm + EDGE_TOLERANCE_KM) continue;
    const d = geodesicAt(index, p, c, k);
    const i = c.ids[k] ?? -1;
    if (d < bestKm || (d === bestKm && i < bestIndex)) {
      bestIndex = i;
      bestKm = d;
    }
  }
  return { index: bestIndex, distanceKm: bestKm };
}

/**
 * Which sites can settle a point's question, per condition (e.g. per item type): site i meets
 * condition t when eligible[i * conditions + t] is 1.
 */
interface Conditions {
  count: number;
  eligible: Uint8Array;
}

/**
 * Records site k of the candidates for every open condition it meets: found[t * need ..] holds the
 * sites found for condition t, have[t] how many.
 */
function record(
  c: Candidates,
  k: number,
  conditions: Conditions,
  need: number,
  found: Int32Array,
  have: Int32Array,
): void {
  const site = c.ids[k] ?? -1;
  for (let t = 0; t < conditions.count; t++) {
    const n = have[t] ?? 0;
    if (n >= need || conditions.eligible[site * conditions.count + t] !== 1) continue;
    if (holds(found, t * need, n, site)) continue;
    found[t * need + n] = site;
    have[t] = n + 1;
  }
}

function holds(found: Int32Array, from: number, n: number, site: number): boolean {
  for (let j = 0; j < n; j++) if (found[from + j] === site) return true;
  return false;
}

/**
 * Settles what the candidates can of the point's open conditions: up to `need` sites within reach
 * (geodesic, inclusive) per condition. Sites already measured count first. Then, one at a time, the
 * unmeasured site that could settle the most open conditions (the nearer by chord on a tie) is
 * measured: each geodesic costs a few microseconds, and one or two well-stocked depots usually settle
 * every item type. A loop without closures: it runs for every point, and tsx wraps each closure it
 * creates in a naming helper.
 */
function settle(
  index: SpatialIndex,
  p: LatLon,
  c: Candidates,
  reach: number,
  conditions: Conditions,
  need: number,
  found: Int32Array,
  have: Int32Array,
): void {
  const limit = reach + EDGE_TOLERANCE_KM;
  const { eligible, count: stride } = conditions;
  for (let k = 0; k < c.count; k++) {
    if ((c.geo[k] ?? Number.NaN) <= limit) record(c, k, conditions, need, found, have);
  }
  for (;;) {
    let best = -1;
    let bestGain = 0;
    for (let k = 0; k < c.count; k++) {
      if (!Number.isNaN(c.geo[k] ?? Number.NaN) || (c.chords[k] ?? 0) > limit) continue;
      const site = c.ids[k] ?? -1;
      let gain = 0;
      for (let t = 0; t < stride; t++) {
        const n = have[t] ?? 0;
        if (n < need && eligible[site * stride + t] === 1 && !holds(found, t * need, n, site)) gain++;
      }
      if (gain > bestGain || (gain > 0 && gain === bestGain && (c.chords[k] ?? 0) < (c.chords[best] ?? 0))) {
        best = k;
        bestGain = gain;
      }
    }
    if (best < 0) return;
    if (geodesicAt(index, p, c, best) <= limit) record(c, best, conditions, need, found, have);
  }
}

function allSettled(have: Int32Array, need: number): boolean {
  for (const n of have) if (n < need) return false;
  return true;
}

/**
 * One point's questions: per condition, up to `need` sites within reach that meet it, written to
 * found[t * need ..] (the rest stays -1); and, when asked, the nearest site of all however far.
 *
 * The search widens in rings from an eighth of the reach: in a dense network the nearest few sites
 * settle everything, and a search over the whole reach would gather hundreds of sites per point only
 * to look at a handful. "None in reach" is concluded only once the search has covered the whole
 * reach. The nearest site found within the searched radius is nearer than every site outside the
 * search boxes, so that search stops there; beyond the reach it keeps doubling until the boxes hold
 * the whole Earth.
 */
function examine(
  index: SpatialIndex,
  p: PreparedPoint,
  reach: number,
  conditions: Conditions,
  need: number,
  wantNearest: boolean,
  c: Candidates,
  found: Int32Array,
): Nearest | null {
  found.fill(-1);
  let nearest: Nearest | null = null;
  if (index.size === 0) return nearest;
  const have = new Int32Array(conditions.count);
  let nearestSettled = !wantNearest;
  let conditionsSettled = conditions.count === 0;
  let radius = reach / 8;
  for (;;) {
    gather(index, p, radius, c);
    if (!nearestSettled) {
      // Measured first: the nearest site is the one most likely to settle the conditions too.
      nearest = nearestAmong(index, p, c);
      nearestSettled = nearest !== null && nearest.distanceKm <= radius;
    }
    if (!conditionsSettled) {
      settle(index, p, c, reach, conditions, need, found, have);
      conditionsSettled = radius >= reach || allSettled(have, need);
    }
    if ((nearestSettled && conditionsSettled) || radius >= WHOLE_EARTH_KM) return nearest;
    radius =
      radius < reach
        ? Math.min(2 * radius, reach)
        : Math.min(Math.max(2 * radius, FIRST_NEAREST_STEP_KM), WHOLE_EARTH_KM);
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs.

function resolveParams(params: Partial<CoverageParams>): CoverageParams {
  const merged: CoverageParams = { ...DEFAULT_COVERAGE_PARAMS };
  for (const key of ["radiusKm", "hours", "speedKmh", "circuity"] as const) {
    const value = params[key];
    if (value !== undefined) merged[key] = value;
  }
  for (const key of ["radiusKm", "hours", "speedKmh"] as const) {
    if (!Number.isFinite(merged[key]) || merged[key] < 0) {
      throw new RangeError(`coverage parameter ${key} must be a finite number >= 0, got ${merged[key]}`);
    }
  }
  // Roads are never shorter than the straight line; a circuity below 1 would overstate the reach.
  if (!Number.isFinite(merged.circuity) || merged.circuity < 1) {
    throw new RangeError(`coverage parameter circuity must be a finite number >= 1, got ${merged.circuity}`);
  }
  return merged;
}

/** An own property only: a code such as "constructor" must not read Object.prototype. */
function ownNumber(record: Readonly<Record<string, number>> | undefined, key: string): number | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * A depot covers for a type when it holds at least its threshold (1 when none is set). It must also
 * hold some: a threshold of 0 (a tier with no minimum standard) would otherwise let an empty depot
 * "cover" a place it cannot supply. NaN quantities fail every comparison and so never cover.
 */
function covers(depot: Depot, itemTypeCode: string): boolean {
  const held = ownNumber(depot.holdings, itemTypeCode) ?? 0;
  const threshold = ownNumber(depot.thresholds, itemTypeCode) ?? 1;
  return held > 0 && held >= threshold;
}

function assertUniqueCodes(depots: readonly Depot[]): void {
  const seen = new Set<string>();
  for (const depot of depots) {
    if (seen.has(depot.code)) throw new RangeError(`depot code ${depot.code} appears twice`);
    seen.add(depot.code);
  }
}

function preparePoints(points: readonly DemandPoint[]): PreparedPoint[] {
  const seen = new Set<string>();
  return points.map((point) => {
    if (seen.has(point.id)) throw new RangeError(`demand point ${point.id} appears twice`);
    seen.add(point.id);
    // A negative or unknown weight would make shares meaningless; it is a data error, said out loud.
    if (!Number.isFinite(point.weight) || point.weight < 0) {
      throw new RangeError(
        `demand point ${point.id}: weight must be a finite number >= 0, got ${point.weight}`,
      );
    }
    assertPosition(point.lat, point.lon, () => `demand point ${point.id}`);
    return preparePoint(point.lat, point.lon);
  });
}

/**
 * With no weight at all nothing is demonstrably covered: reporting 100 % because nobody entered the
 * demand would be a false assurance, so the share is 0.
 */
function share(part: number, total: number): number {
  return total > 0 ? part / total : 0;
}

interface Scan {
  params: CoverageParams;
  reach: number;
  types: string[];
  totalWeight: number;
  need: number;
  /**
   * Up to `need` depots in reach covering each point and type, at ((point x types) + type) x need;
   * -1 fills the places of depots not found.
   */
  coverers: Int32Array;
  /** Per point; all null when not asked for. */
  nearest: Array<Nearest | null>;
}

function scan(
  depots: readonly Depot[],
  points: readonly DemandPoint[],
  itemTypes: readonly string[],
  params: Partial<CoverageParams>,
  need: number,
  withNearest: boolean,
): Scan {
  const resolved = resolveParams(params);
  const reach = reachKm(resolved);
  const types = [...new Set(itemTypes)];
  assertUniqueCodes(depots);
  const prepared = preparePoints(points);
  const index = buildIndex(depots, "depot");
  const nTypes = types.length;
  const eligible = new Uint8Array(depots.length * nTypes);
  depots.forEach((depot, i) => {
    types.forEach((type, t) => {
      eligible[i * nTypes + t] = covers(depot, type) ? 1 : 0;
    });
  });
  const conditions: Conditions = { count: nTypes, eligible };
  const coverers = new Int32Array(points.length * nTypes * need);
  const nearest: Array<Nearest | null> = [];
  const candidates = new Candidates();
  let totalWeight = 0;
  prepared.forEach((p, pi) => {
    totalWeight += points[pi]?.weight ?? 0;
    const found = coverers.subarray(pi * nTypes * need, (pi + 1) * nTypes * need);
    nearest.push(examine(index, p, reach, conditions, need, withNearest, candidates, found));
  });
  return { params: resolved, reach, types, totalWeight, need, coverers, nearest };
}

/** How many depots (up to s.need) cover a point for a type, and the first of them. */
function coverersOf(s: Scan, point: number, type: number): { count: number; first: number } {
  const from = (point * s.types.length + type) * s.need;
  let count = 0;
  while (count < s.need && (s.coverers[from + count] ?? -1) >= 0) count++;
  return { count, first: s.coverers[from] ?? -1 };
}

// ---------------------------------------------------------------------------------------------
// Public API.

/**
 * A point is covered for item type T when some depot within reachKm (geodesic, inclusive) holds T at
 * or above its threshold. The index and the chord leave two or three geodesics per point, so 1,000
 * depots x 10,000 points take a small fraction of a second.
 */
export function pointCoverage(
  depots: readonly Depot[],
  points: readonly DemandPoint[],
  itemTypes: readonly string[],
  params: Partial<CoverageParams> = DEFAULT_COVERAGE_PARAMS,
): CoverageResult {
  const s = scan(depots, points, itemTypes, params, 1, true);
  const nTypes = s.types.length;
  const perType = s.types.map((itemTypeCode) => ({
    itemTypeCode,
    weightCovered: 0,
    weightShare: 0,
    pointsUncovered: [] as string[],
  }));
  let weightCoveredAll = 0;
  const pointResults = points.map((point, pi): PointCoverage => {
    const coveredTypes: string[] = [];
    const uncoveredTypes: string[] = [];
    perType.forEach((line, t) => {
      if (coverersOf(s, pi, t).count > 0) {
        coveredTypes.push(line.itemTypeCode);
        line.weightCovered += point.weight;
      } else {
        uncoveredTypes.push(line.itemTypeCode);
        line.pointsUncovered.push(point.id);
      }
    });
    // Asking about no item type answers nothing; calling that "covered" would be a false assurance.
    const coveredAll = nTypes > 0 && uncoveredTypes.length === 0;
    if (coveredAll) weightCoveredAll += point.weight;
    const near = s.nearest[pi] ?? null;
    const nearDepot = near === null ? undefined : depots[near.index];
    return {
      pointId: point.id,
      coveredTypes,
      uncoveredTypes,
      nearestDepot:
        near === null || nearDepot === undefined
          ? null
          : { code: nearDepot.code, distanceKm: near.distanceKm },
      coveredAll,
    };
  });
  for (const line of perType) line.weightShare = share(line.weightCovered, s.totalWeight);
  return {
    params: s.params,
    reachKm: s.reach,
    itemTypes: s.types,
    points: pointResults,
    totalWeight: s.totalWeight,
    weightCoveredAll,
    weightShareAll: share(weightCoveredAll, s.totalWeight),
    perItemType: perType,
  };
}

/**
 * N-1: for each depot (in input order), the coverage with it out of service and the points that
 * lose some item type because of it. A point loses T exactly when the depot is the only one in reach
 * covering T, so one pass that looks for two coverers per point and type answers for every depot.
 * The weights are summed in point order, as pointCoverage sums them on the reduced network, so the
 * figures equal a recomputation without the depot.
 */
export function resilience(
  depots: readonly Depot[],
  points: readonly DemandPoint[],
  itemTypes: readonly string[],
  params: Partial<CoverageParams> = DEFAULT_COVERAGE_PARAMS,
): DepotLoss[] {
  const s = scan(depots, points, itemTypes, params, 2, false);
  const nTypes = s.types.length;
  // For each depot, per point that loses something, the indices of the types lost.
  const losses = depots.map(() => new Map<number, number[]>());
  const coveredAll: boolean[] = points.map((_, pi) => {
    let all = nTypes > 0;
    for (let t = 0; t < nTypes; t++) {
      const { count, first } = coverersOf(s, pi, t);
      if (count === 0) all = false;
      if (count !== 1) continue;
      const byPoint = losses[first];
      if (byPoint === undefined) continue;
      const lost = byPoint.get(pi);
      if (lost === undefined) byPoint.set(pi, [t]);
      else lost.push(t);
    }
    return all;
  });
  return depots.map((depot, d) => {
    const byPoint = losses[d] ?? new Map<number, number[]>();
    let weightCoveredAll = 0;
    points.forEach((point, pi) => {
      if (coveredAll[pi] === true && !byPoint.has(pi)) weightCoveredAll += point.weight;
    });
    const pointsLosingCoverage = [...byPoint.keys()]
      .sort((a, b) => a - b)
      .map((pi) => ({
        pointId: points[pi]?.id ?? "",
        lostTypes: (byPoint.get(pi) ?? []).map((t) => s.types[t] ?? ""),
      }));
    return {
      depotCode: depot.code,
      weightCoveredAll,
      weightShareAll: share(weightCoveredAll, s.totalWeight),
      pointsLosingCoverage,
    };
  });
}

/** Polygon vertices per circle: the chords cut off at most 1 - cos(π/128), 0.03 %, of the radius. */
const CIRCLE_STEPS = 128;

/**
 * Uncovered pieces smaller than this are round-off from the polygon clipping, not gaps: one square
 * metre.
 */
const SLIVER_KM2 = 1e-6;

function overlaps(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

function asMultiPolygon(feature: Feature<Polygon | MultiPolygon>): Feature<MultiPolygon> {
  const g = feature.geometry;
  const coordinates = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  return { type: "Feature", properties: {}, geometry: { type: "MultiPolygon", coordinates } };
}

/**
 * Area coverage of a region by the union of reach circles around the given depots (e.g. those holding
 * a given item type), for the map and the "whole region" figure. The circles are turf's: polygons on
 * a sphere of radius 6,371.0088 km, clipped as planar longitude/latitude polygons. That differs from
 * the geodesic point decisions above by up to about 0.5 % of the radius, which is why this is an
 * overview: whether a given place is covered is pointCoverage's answer. Regions across the
 * antimeridian are not supported by the clipping.
 */
export function areaCoverage(
  region: Feature<Polygon | MultiPolygon>,
  depots: ReadonlyArray<{ lat: number; lon: number }>,
  radiusKm: number,
): AreaCoverage {
  const type = region.geometry?.type;
  if (type !== "Polygon" && type !== "MultiPolygon") {
    throw new RangeError("region must be a Polygon or MultiPolygon feature");
  }
  if (!Number.isFinite(radiusKm) || radiusKm < 0) {
    throw new RangeError(`radiusKm must be a finite number >= 0, got ${radiusKm}`);
  }
  const areaKm2 = area(region) / 1e6;
  if (!(areaKm2 > 0)) throw new RangeError("region has no area");
  const circles = depots.map((depot, i) => {
    assertPosition(depot.lat, depot.lon, () => `depot ${i}`);
    return circle([depot.lon, depot.lat], radiusKm, {
      steps: CIRCLE_STEPS,
      units: "kilometers",
      properties: { lat: depot.lat, lon: depot.lon, radiusKm },
    });
  });
  // Circles that miss the region's bounding box change nothing and only slow the union down.
  const regionBox = bbox(region);
  const relevant: Array<Feature<Polygon | MultiPolygon>> =
    radiusKm > 0 ? circles.filter((c) => overlaps(bbox(c), regionBox)) : [];
  let reached: Feature<Polygon | MultiPolygon> | null = relevant[0] ?? null;
  if (relevant.length >= 2) reached = union(featureCollection(relevant));
  const rest = reached === null ? region : difference(featureCollection([region, reached]));
  const uncoveredKm2 = rest === null ? 0 : area(rest) / 1e6;
  const uncovered = rest === null || uncoveredKm2 < SLIVER_KM2 ? null : asMultiPolygon(rest);
  // Covered = region less what is left, so coveredShare is 1 exactly when uncovered is null.
  const coveredKm2 = uncovered === null ? areaKm2 : Math.max(0, areaKm2 - uncoveredKm2);
  return {
    areaKm2,
    coveredKm2,
    coveredShare: Math.min(1, coveredKm2 / areaKm2),
    uncovered,
    circles: featureCollection(circles),
  };
}

/**
 * A static index of sites (no holdings) for repeated "which sites are within r of this place"
 * questions, with the same geodesic, inclusive decisions as pointCoverage. Used by siting.
 */
export interface SiteIndex {
  readonly size: number;
  /** Indices (input order) of the sites within radiusKm of the point, with their distances. */
  within(point: LatLon, radiusKm: number): Array<{ index: number; distanceKm: number }>;
  /** Whether any site is within radiusKm; stops at the first one found. */
  anyWithin(point: LatLon, radiusKm: number): boolean;
}

export function indexSites(sites: ReadonlyArray<LatLon>): SiteIndex {
  const index = buildIndex(sites, "site");
  const assertQuery = (point: LatLon, radiusKm: number): void => {
    assertPosition(point.lat, point.lon, () => "point");
    if (!Number.isFinite(radiusKm) || radiusKm < 0) {
      throw new RangeError(`radiusKm must be a finite number >= 0, got ${radiusKm}`);
    }
  };
  const every: Conditions = { count: 1, eligible: new Uint8Array(index.size).fill(1) };
  const candidates = new Candidates();
  const found = new Int32Array(1);
  return {
    size: index.size,
    within(point, radiusKm) {
      assertQuery(point, radiusKm);
      const p = preparePoint(point.lat, point.lon);
      gather(index, p, radiusKm, candidates);
      const limit = radiusKm + EDGE_TOLERANCE_KM;
      const result: Array<{ index: number; distanceKm: number }> = [];
      for (let k = 0; k < candidates.count; k++) {
        if ((candidates.chords[k] ?? 0) > limit) continue;
        const d = geodesicAt(index, p, candidates, k);
        if (d <= limit) result.push({ index: candidates.ids[k] ?? -1, distanceKm: d });
      }
      return result.sort((a, b) => a.index - b.index);
    },
    anyWithin(point, radiusKm) {
      assertQuery(point, radiusKm);
      const p = preparePoint(point.lat, point.lon);
      examine(index, p, radiusKm, every, 1, false, candidates, found);
      return (found[0] ?? -1) >= 0;
    },
  };
}
