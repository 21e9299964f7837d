/**
 * Environment excursions: a storeroom outside an item type's storage conditions.
 *
 * One reading out of range is noise (a door opened, a glitch), not an excursion. A reading that
 * breaks a limit starts a pending breach per (item type, measurement, bound); it becomes an
 * excursion once the condition has held for `minReadings` consecutive readings or for
 * `minDurationS` seconds (first to last breaching reading), whichever comes first, and the
 * excursion starts at the first breaching reading. A reading back inside before that clears the
 * breach. The breaching readings (at most minReadings) and the peak are kept as evidence.
 *
 * Readings are judged in reading-time order per device and measurement: one older than the newest
 * already judged (it waited in a broker) neither opens, confirms, clears nor closes anything, so an
 * excursion never ends before it starts; it may only raise the peak of an excursion whose span it
 * falls in. One excursion per (item type, measurement, bound) is open at a time; it ends at the
 * first reading back inside. Pure: the caller persists what changed.
 */

export interface ExcursionRule {
  /** Consecutive breaching readings that make an excursion (1: the first one does). */
  minReadings: number;
  /** Seconds from the first to the latest breaching reading that make one (0: the first does). */
  minDurationS: number;
}

export interface StorageLimits extends ExcursionRule {
  itemTypeCode: string;
  minTempC: number | null;
  maxTempC: number | null;
  maxRhPct: number | null;
}

export type EnvMeasurement = "temp" | "hum";
export type Bound = "max" | "min";

export interface EnvReading {
  measurement: EnvMeasurement;
  value: number;
  time: number;
}

export interface EvidencePoint {
  time: number;
  value: number;
}

/** Why an excursion was opened: the breaching readings that confirmed it, and its peak so far. */
export interface Evidence {
  readings: EvidencePoint[];
  peak: EvidencePoint;
}

interface Breach {
  itemTypeCode: string;
  measurement: EnvMeasurement;
  bound: Bound;
  limitValue: number;
}

/** An excursion as stored; endedAt null while it lasts. */
export interface Excursion extends Breach {
  id: number;
  peakValue: number;
  startedAt: number;
  endedAt: number | null;
}

/** A limit broken by the latest readings, not yet long enough to be an excursion. */
export interface PendingBreach extends Breach {
  startedAt: number;
  /** Consecutive breaching readings so far. */
  count: number;
  evidence: Evidence;
}

/** What is known of one device and measurement before a reading is judged. */
export interface ExcursionState {
  /** The time of the newest reading judged so far; null: none yet. */
  latestAt: number | null;
  /** Its open excursions, and any closed one whose span holds the reading's time. */
  excursions: readonly Excursion[];
  pending: readonly PendingBreach[];
}

export interface ExcursionChanges {
  opened: Array<Breach & { peakValue: number; startedAt: number; evidence: Evidence }>;
  peaks: Array<{ id: number; peak: EvidencePoint }>;
  closed: Array<{ id: number; endedAt: number }>;
  /** The pending breaches of the reading's measurement afterwards (all of them). */
  pending: PendingBreach[];
  latestAt: number;
}

/** The most readings an item type may ask for before an excursion opens (bounds the evidence). */
export const MAX_EXCURSION_MIN_READINGS = 100;

const keyOf = (x: { itemTypeCode: string; bound: string }) => `${x.itemTypeCode}|${x.bound}`;

/** Which limits a reading breaks, one entry per item type and bound, with that type's rule. */
function breaches(reading: EnvReading, limits: readonly StorageLimits[]) {
  const found: Array<Breach & { rule: ExcursionRule }> = [];
  const add = (l: StorageLimits, bound: Bound, limitValue: number) =>
    found.push({
      itemTypeCode: l.itemTypeCode,
      measurement: reading.measurement,
      bound,
      limitValue,
      rule: l,
    });
  for (const l of limits) {
    if (reading.measurement === "temp") {
      if (l.maxTempC !== null && reading.value > l.maxTempC) add(l, "max", l.maxTempC);
      if (l.minTempC !== null && reading.value < l.minTempC) add(l, "min", l.minTempC);
    } else if (l.maxRhPct !== null && reading.value > l.maxRhPct) {
      add(l, "max", l.maxRhPct);
    }
  }
  return found;
}

const worse = (bound: Bound, value: number, than: number) => (bound === "max" ? value > than : value < than);

const confirmed = (pending: PendingBreach, rule: ExcursionRule, now: number) =>
  pending.count >= rule.minReadings || now - pending.startedAt >= rule.minDurationS * 1000;

export function evaluateExcursions(
  state: ExcursionState,
  reading: EnvReading,
  limits: readonly StorageLimits[],
): ExcursionChanges {
  const point: EvidencePoint = { time: reading.time, value: reading.value };
  const breached = new Map(breaches(reading, limits).map((b) => [keyOf(b), b]));
  const ofMeasurement = state.excursions.filter((e) => e.measurement === reading.measurement);
  const pendingBefore = state.pending.filter((p) => p.measurement === reading.measurement);
  const changes: ExcursionChanges = {
    opened: [],
    peaks: [],
    closed: [],
    pending: pendingBefore,
    latestAt: state.latestAt ?? reading.time,
  };
  const raisePeak = (e: Excursion) => {
    if (breached.has(keyOf(e)) && worse(e.bound, reading.value, e.peakValue))
      changes.peaks.push({ id: e.id, peak: point });
  };

  if (state.latestAt !== null && reading.time < state.latestAt) {
    // Late: the conditions since then were judged on newer readings. Only a peak within a span.
    for (const e of ofMeasurement) {
      if (e.startedAt <= reading.time && (e.endedAt === null || reading.time < e.endedAt)) raisePeak(e);
    }
    return changes;
  }
  changes.latestAt = reading.time;

  for (const e of ofMeasurement) {
    if (e.endedAt !== null) continue;
    // Only an excursion recorded before readings were judged in order can start after this one.
    if (reading.time < e.startedAt) {
      breached.delete(keyOf(e));
      continue;
    }
    if (breached.has(keyOf(e))) {
      raisePeak(e);
      breached.delete(keyOf(e));
    } else {
      changes.closed.push({ id: e.id, endedAt: reading.time });
    }
  }

  const pendingAfter: PendingBreach[] = [];
  const promote = (p: PendingBreach) =>
    changes.opened.push({
      itemTypeCode: p.itemTypeCode,
      measurement: p.measurement,
      bound: p.bound,
      limitValue: p.limitValue,
      peakValue: p.evidence.peak.value,
      startedAt: p.startedAt,
      evidence: p.evidence,
    });
  for (const p of pendingBefore) {
    const breach = breached.get(keyOf(p));
    // Back inside (or the item type no longer held there): the breach was noise.
    if (!breach) continue;
    breached.delete(keyOf(p));
    const next: PendingBreach = {
      ...p,
      limitValue: breach.limitValue,
      count: p.count + 1,
      evidence: {
        readings:
          p.evidence.readings.length < breach.rule.minReadings
            ? [...p.evidence.readings, point]
            : p.evidence.readings,
        peak: worse(p.bound, reading.value, p.evidence.peak.value) ? point : p.evidence.peak,
      },
    };
    if (confirmed(next, breach.rule, reading.time)) promote(next);
    else pendingAfter.push(next);
  }
  for (const b of breached.values()) {
    const started: PendingBreach = {
      itemTypeCode: b.itemTypeCode,
      measurement: b.measurement,
      bound: b.bound,
      limitValue: b.limitValue,
      startedAt: reading.time,
      count: 1,
      evidence: { readings: [point], peak: point },
    };
    if (confirmed(started, b.rule, reading.time)) promote(started);
    else pendingAfter.push(started);
  }
  changes.pending = pendingAfter;
  return changes;
}
