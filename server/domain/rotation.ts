/**
 * Rotation and full-life management of reserve stock (储备轮换, 全寿命管理). Expiring stock (water,
 * rations, medicine, batteries, fuel) is rotated before it expires: each item type names a trigger
 * condition, a cycle and a proportion (轮换触发条件、周期和比例). Near-expiry units go forward to
 * station equipment rooms that use them up in daily work, so nothing sits until it is thrown away;
 * what no station can absorb goes back to the supplier for replacement, and the depot buys what
 * restores its standard (回补). Durable equipment is never rotated: it is inspected and maintained on
 * its intervals and scrapped at the end of its service life.
 *
 * Pure: the caller gathers batches, standards and destinations and passes `today` (the deployment's
 * day, calendar.ts's dayOf in TIME_ZONE); this decides what they mean. Calendar dates are ISO
 * "YYYY-MM-DD" strings and all arithmetic is in whole days (calendar.ts), so a batch's status never
 * depends on the server's own time zone or the time of day.
 */

import { addDays, dayFromNumber, dayNumber } from "./calendar.ts";

// Kept for the modules that import day arithmetic from here; calendar.ts is where it lives.
export { addDays, daysBetween } from "./calendar.ts";

export interface RotationPolicy {
  lifecycle: "expiring" | "durable";
  /** Expiring stock: days from production to expiry (used when a batch carries no expiry date). */
  shelfLifeDays: number | null;
  /** Durable equipment: days from production to the scrap deadline. */
  serviceLifeDays: number | null;
  inspectionIntervalDays: number | null;
  maintenanceIntervalDays: number | null;
  /** Rotate when remaining life <= this share (0..1) of the batch's life ... */
  rotationTriggerShare: number | null;
  /** ... or remaining days <= this, whichever holds first (the earlier date). */
  rotationTriggerDays: number | null;
  /** How often a rotation round happens (days). */
  rotationCycleDays: number | null;
  /** Share (0..1] of a site's stock of the type rotated per cycle. */
  rotationProportion: number | null;
  /**
   * Durable equipment is "due" this many days before its end of life, so a replacement can be bought
   * in time. Optional (not an item-type column): absent or null means the default.
   */
  scrapNoticeDays?: number | null;
}

/**
 * Used when the item type leaves a field null. Share 0.25 and proportion 0.25 are what the demo
 * catalogue uses for most expiring types; a 90-day cycle is a quarterly round; 90 days' notice
 * before a scrap deadline is one quarter to procure a replacement. There is deliberately no default
 * for rotationTriggerDays (null: only the share rule applies), nor for shelf or service life or the
 * inspection and maintenance intervals: an invented expiry or scrap date would be worse than none.
 */
export const DEFAULT_ROTATION_POLICY = {
  rotationTriggerShare: 0.25,
  rotationCycleDays: 90,
  rotationProportion: 0.25,
  scrapNoticeDays: 90,
} as const satisfies Partial<RotationPolicy>;

export interface BatchInfo {
  batchId: number;
  siteCode: string;
  itemTypeCode: string;
  productionDate: string;
  expiryDate: string | null;
  /** Date received at the site; a full ISO timestamp is accepted and its date part used. */
  receivedAt: string;
  /** On hand now, >= 0. */
  quantity: number;
}

export type BatchStatus = "ok" | "due" | "overdue" | "expired";

export interface BatchLifecycle {
  batchId: number;
  /** Expiring: the batch's expiry, or production + shelf life when it carries none. Durable: null. */
  expiryDate: string | null;
  /** Expiring: the first day the rotation trigger holds. Durable: null. */
  rotationDeadline: string | null;
  /** Durable: production + service life (the scrap deadline). Expiring: the expiry date. */
  endOfLife: string | null;
  status: BatchStatus;
  /** Days from today to endOfLife (expiry for expiring stock); 0 on the day itself, negative after. */
  daysToExpiry: number | null;
  /** Last inspection (or receipt) + inspectionIntervalDays; null when the type has no interval. */
  nextInspection: string | null;
  /** Last maintenance (or receipt) + maintenanceIntervalDays; null when the type has no interval. */
  nextMaintenance: string | null;
}

/** Guards ceil/floor of shares against binary fractions: 0.1 x 30 is 3.0000000000000004, not 3. */
const EPSILON = 1e-9;

function shareOr(value: number | null | undefined, fallback: number, name: string): number {
  const share = value ?? fallback;
  if (!(share > 0 && share <= 1)) throw new RangeError(`${name} must be in (0, 1], got ${share}`);
  return share;
}

function nonNegativeOr(value: number | null | undefined, fallback: number, name: string): number {
  const days = value ?? fallback;
  if (!(days >= 0)) throw new RangeError(`${name} must be >= 0, got ${days}`);
  return days;
}

/** The batch's expiry: its own date when it carries one, else production + the type's shelf life. */
function effectiveExpiry(batch: BatchInfo, policy: RotationPolicy): string | null {
  if (policy.lifecycle !== "expiring") return null;
  if (batch.expiryDate !== null) return batch.expiryDate;
  return policy.shelfLifeDays === null ? null : addDays(batch.productionDate, policy.shelfLifeDays);
}

function nextService(base: string, intervalDays: number | null): string | null {
  return intervalDays === null ? null : addDays(base, intervalDays);
}

/**
 * Where one batch stands in its life.
 *
 * Expiring stock. The trigger holds when remaining life <= share x life (life = expiry - production
 * of this batch, so a batch with a short-dated expiry is judged on its own life) or remaining days
 * <= triggerDays; remaining days are whole, so the share threshold is floor(share x life). The
 * deadline is the earlier of the two dates (never before production). Status: expired from the
 * expiry day itself (stock is not issued on its last day); overdue once more than one cycle has
 * passed since the deadline (it should have gone in the round after it became due); due from the
 * deadline on; ok before. A batch with neither an expiry date nor a shelf life has no dates and is ok.
 *
 * Durable equipment has no rotation: its status is about the scrap deadline (production + service
 * life). "expired" from that day on (durable is never "overdue"), "due" within scrapNoticeDays
 * (default 90) before it, ok otherwise; no service life means no deadline and ok.
 *
 * Inspection and maintenance: last one (or receipt when none is recorded) + the interval, for any
 * type that has the interval (quality audits apply to expiring stock too).
 */
export function batchLifecycle(
  batch: BatchInfo,
  policy: RotationPolicy,
  today: string,
  services: { lastInspection?: string | null; lastMaintenance?: string | null } = {},
): BatchLifecycle {
  const now = dayNumber(today);
  const nextInspection = nextService(
    services.lastInspection ?? batch.receivedAt,
    policy.inspectionIntervalDays,
  );
  const nextMaintenance = nextService(
    services.lastMaintenance ?? batch.receivedAt,
    policy.maintenanceIntervalDays,
  );

  if (policy.lifecycle === "durable") {
    const endOfLife =
      policy.serviceLifeDays === null ? null : addDays(batch.productionDate, policy.serviceLifeDays);
    if (endOfLife === null) {
      return {
        batchId: batch.batchId,
        expiryDate: null,
        rotationDeadline: null,
        endOfLife,
        status: "ok",
        daysToExpiry: null,
        nextInspection,
        nextMaintenance,
      };
    }
    const notice = nonNegativeOr(
      policy.scrapNoticeDays,
      DEFAULT_ROTATION_POLICY.scrapNoticeDays,
      "scrapNoticeDays",
    );
    const daysLeft = dayNumber(endOfLife) - now;
    const status: BatchStatus = daysLeft <= 0 ? "expired" : daysLeft <= notice ? "due" : "ok";
    return {
      batchId: batch.batchId,
      expiryDate: null,
      rotationDeadline: null,
      endOfLife,
      status,
      daysToExpiry: daysLeft,
      nextInspection,
      nextMaintenance,
    };
  }

  const expiryDate = effectiveExpiry(batch, policy);
  if (expiryDate === null) {
    return {
      batchId: batch.batchId,
      expiryDate: null,
      rotationDeadline: null,
      endOfLife: null,
      status: "ok",
      daysToExpiry: null,
      nextInspection,
      nextMaintenance,
    };
  }
  const expiry = dayNumber(expiryDate);
  const production = dayNumber(batch.productionDate);
  const life = Math.max(0, expiry - production);
  const share = shareOr(
    policy.rotationTriggerShare,
    DEFAULT_ROTATION_POLICY.rotationTriggerShare,
    "rotationTriggerShare",
  );
  const shareThreshold = Math.floor(share * life + EPSILON);
  const daysThreshold = policy.rotationTriggerDays ?? 0;
  // The earlier date is the one with the larger remaining-days threshold.
  const deadline = Math.max(production, expiry - Math.max(shareThreshold, daysThreshold));
  const cycle = nonNegativeOr(
    policy.rotationCycleDays,
    DEFAULT_ROTATION_POLICY.rotationCycleDays,
    "rotationCycleDays",
  );
  const status: BatchStatus =
    now >= expiry ? "expired" : now > deadline + cycle ? "overdue" : now >= deadline ? "due" : "ok";
  return {
    batchId: batch.batchId,
    expiryDate,
    rotationDeadline: dayFromNumber(deadline),
    endOfLife: expiryDate,
    status,
    daysToExpiry: expiry - now,
    nextInspection,
    nextMaintenance,
  };
}

function dayOrLast(date: string | null): number {
  if (date === null || date === "") return Number.POSITIVE_INFINITY;
  return dayNumber(date);
}

/**
 * First-expiry-first-out: the order stock leaves in. By expiry date, then production date, then
 * batchId; a batch with no expiry date comes after every dated one. Durable equipment carries no
 * expiry date, so it goes by production date, which for one type (one service life) is the order of
 * end of life. Stable, and returns a new array.
 */
export function fefoOrder<T extends { batchId: number; expiryDate: string | null; productionDate: string }>(
  batches: readonly T[],
): T[] {
  const keyed = batches.map((batch) => ({
    batch,
    expiry: dayOrLast(batch.expiryDate),
    production: dayOrLast(batch.productionDate),
  }));
  keyed.sort((a, b) => {
    if (a.expiry !== b.expiry) return a.expiry < b.expiry ? -1 : 1;
    if (a.production !== b.production) return a.production < b.production ? -1 : 1;
    return a.batch.batchId - b.batch.batchId;
  });
  return keyed.map((k) => k.batch);
}

/** FEFO by the effective expiry (production + shelf life for a batch without a date). */
function fefoByPolicy<T extends BatchInfo>(batches: readonly T[], policy: RotationPolicy): T[] {
  const dated = batches.map((batch) => ({
    batchId: batch.batchId,
    productionDate: batch.productionDate,
    expiryDate: effectiveExpiry(batch, policy),
    batch,
  }));
  return fefoOrder(dated).map((d) => d.batch);
}

/**
 * Picks `quantity` units FEFO. Skips empty batches and, unless allowExpired, expired ones (for
 * durable equipment: past its end of service life), since those must not go out to people. What the
 * batches cannot cover is the shortfall.
 */
export function pickFefo(
  batches: readonly BatchInfo[],
  quantity: number,
  today: string,
  policy: RotationPolicy,
  options: { allowExpired?: boolean } = {},
): { picks: Array<{ batchId: number; quantity: number }>; shortfall: number } {
  if (!Number.isInteger(quantity)) throw new RangeError(`quantity must be a whole number, got ${quantity}`);
  const picks: Array<{ batchId: number; quantity: number }> = [];
  let left = Math.max(0, quantity);
  for (const batch of fefoByPolicy(batches, policy)) {
    if (left === 0) break;
    if (batch.quantity <= 0) continue;
    if (!options.allowExpired && batchLifecycle(batch, policy, today).status === "expired") continue;
    const take = Math.min(left, batch.quantity);
    picks.push({ batchId: batch.batchId, quantity: take });
    left -= take;
  }
  return { picks, shortfall: left };
}

export interface RotationDestination {
  siteCode: string;
  tier: string;
  /** How many units of the type it uses up per cycle in daily use; > 0 means it consumes the type. */
  dailyUseQtyPerCycle: number;
  distanceKm: number;
}

export interface RotationPlanLine {
  batchId: number;
  siteCode: string;
  itemTypeCode: string;
  quantity: number;
  action: "transfer-to-station" | "replace" | "dispose";
  destinationSiteCode: string | null;
  reason: string;
  status: BatchStatus;
}

export interface ProcurementLine {
  siteCode: string;
  itemTypeCode: string;
  quantity: number;
  reason: string;
}

interface Outgoing {
  batch: BatchInfo;
  life: BatchLifecycle;
  quantity: number;
}

/**
 * The rotation round for one item type across the network, as of `today`.
 *
 * Expiring stock, per source site:
 * - Candidates are the batches that are due, overdue or expired (empty batches ignored).
 * - Units rotated this cycle = ceil(proportion x the site's on-hand units of the type) (a share that
 *   does not divide evenly rounds UP: 0.25 of 10 is 3), but at least every expired and overdue unit
 *   (those go regardless of the proportion), and never more than the candidates hold.
 * - Expired and overdue batches are taken first, then due ones in FEFO order, splitting the last
 *   batch when the quota ends inside it.
 * - Expired units are disposed of: never issued to people.
 * - Due and overdue units go to destinations that consume the type (dailyUseQtyPerCycle > 0), never
 *   to the source site itself, in the order destinationsFor gives (nearest first), each filled up to
 *   its dailyUseQtyPerCycle (what it can use up before they expire); a batch is split across
 *   destinations when needed. That capacity is per destination for the whole round: a station fed by
 *   two depots still uses only its own quantity. Units are placed in FEFO order across the network.
 * - What no destination can absorb is sent back to the supplier for replacement ("replace").
 *
 * Durable equipment is never rotated: batches past their end of service life are disposed of
 * (scrapped), nothing else.
 *
 * Procurement, per site (those holding the type and those with a standard for it):
 * max(0, required - (on hand - units leaving on any line)), i.e. what restores the standard once the
 * round is done. Units a destination receives and units that may come back from replacement are not
 * counted: stock that has not arrived does not meet a standard. Zero lines are left out.
 *
 * Lines come grouped by source site (site code order), FEFO within a site; procurement by site code.
 */
export function rotationPlan(input: {
  today: string;
  itemTypeCode: string;
  policy: RotationPolicy;
  /** Every site's batches of this item type (on-hand quantities). */
  batches: readonly BatchInfo[];
  /** Required quantity per site (the standard) for this type. */
  requiredBySite: Readonly<Record<string, number>>;
  /** Candidate destinations for near-expiry stock, per source site (nearest first is fine). */
  destinationsFor: (siteCode: string) => readonly RotationDestination[];
}): { lines: RotationPlanLine[]; procurement: ProcurementLine[] } {
  const { today, itemTypeCode, policy } = input;
  const bySite = new Map<string, BatchInfo[]>();
  for (const batch of input.batches) {
    // A batch of another type would silently skew on-hand and procurement: that is a caller bug.
    if (batch.itemTypeCode !== itemTypeCode) {
      throw new RangeError(`batch ${batch.batchId} is ${batch.itemTypeCode}, not ${itemTypeCode}`);
    }
    if (batch.quantity <= 0) continue;
    const list = bySite.get(batch.siteCode);
    if (list) list.push(batch);
    else bySite.set(batch.siteCode, [batch]);
  }
  const siteCodes = [...new Set([...bySite.keys(), ...Object.keys(input.requiredBySite)])].sort();

  const lines: RotationPlanLine[] = [];
  const leaving = new Map<string, number>();
  const addLine = (line: Omit<RotationPlanLine, "itemTypeCode">) => {
    lines.push({ ...line, itemTypeCode });
    leaving.set(line.siteCode, (leaving.get(line.siteCode) ?? 0) + line.quantity);
  };

  if (policy.lifecycle === "durable") {
    for (const site of siteCodes) {
      for (const batch of fefoByPolicy(bySite.get(site) ?? [], policy)) {
        const life = batchLifecycle(batch, policy, today);
        if (life.status !== "expired") continue;
        addLine({
          batchId: batch.batchId,
          siteCode: site,
          quantity: batch.quantity,
          action: "dispose",
          destinationSiteCode: null,
          reason: "end of service life",
          status: life.status,
        });
      }
    }
  } else {
    const proportion = shareOr(
      policy.rotationProportion,
      DEFAULT_ROTATION_POLICY.rotationProportion,
      "rotationProportion",
    );
    const outgoing: Outgoing[] = [];
    for (const site of siteCodes) {
      const batches = bySite.get(site) ?? [];
      const onHand = batches.reduce((sum, b) => sum + b.quantity, 0);
      const candidates = fefoByPolicy(batches, policy)
        .map((batch) => ({ batch, life: batchLifecycle(batch, policy, today) }))
        .filter((c) => c.life.status !== "ok");
      const mustGo = candidates
        .filter((c) => c.life.status !== "due")
        .reduce((sum, c) => sum + c.batch.quantity, 0);
      const available = candidates.reduce((sum, c) => sum + c.batch.quantity, 0);
      let quota = Math.min(available, Math.max(mustGo, Math.ceil(proportion * onHand - EPSILON)));
      // Expired and overdue first (they go whatever the quota), then due ones FEFO.
      const ordered = [
        ...candidates.filter((c) => c.life.status !== "due"),
        ...candidates.filter((c) => c.life.status === "due"),
      ];
      const chosen: Outgoing[] = [];
      for (const c of ordered) {
        if (quota === 0) break;
        const quantity = Math.min(quota, c.batch.quantity);
        chosen.push({ ...c, quantity });
        quota -= quantity;
      }
      outgoing.push(...chosen);
    }

    // Station capacity is shared by the whole round, so place units FEFO across the network.
    const rank = new Map(
      fefoByPolicy(
        outgoing.map((o) => o.batch),
        policy,
      ).map((b, i) => [b.batchId, i] as const),
    );
    outgoing.sort((a, b) => (rank.get(a.batch.batchId) ?? 0) - (rank.get(b.batch.batchId) ?? 0));
    const used = new Map<string, number>();
    for (const { batch, life, quantity } of outgoing) {
      const site = batch.siteCode;
      const base = { batchId: batch.batchId, siteCode: site, status: life.status };
      if (life.status === "expired") {
        addLine({
          ...base,
          quantity,
          action: "dispose",
          destinationSiteCode: null,
          reason: `expired on ${life.expiryDate}`,
        });
        continue;
      }
      const why =
        life.status === "overdue"
          ? `overdue: due for rotation since ${life.rotationDeadline}, missed the round after`
          : `due for rotation since ${life.rotationDeadline}`;
      let left = quantity;
      for (const dest of input.destinationsFor(site)) {
        if (left === 0) break;
        if (dest.siteCode === site || !(dest.dailyUseQtyPerCycle > 0)) continue;
        const capacity = Math.floor(dest.dailyUseQtyPerCycle) - (used.get(dest.siteCode) ?? 0);
        if (capacity <= 0) continue;
        const take = Math.min(left, capacity);
        used.set(dest.siteCode, (used.get(dest.siteCode) ?? 0) + take);
        left -= take;
        addLine({
          ...base,
          quantity: take,
          action: "transfer-to-station",
          destinationSiteCode: dest.siteCode,
          reason: `${why}; used up in daily use at ${dest.siteCode} before it expires (${life.expiryDate})`,
        });
      }
      if (left > 0) {
        addLine({
          ...base,
          quantity: left,
          action: "replace",
          destinationSiteCode: null,
          reason: `${why}; no station can use it up in time: back to the supplier for replacement`,
        });
      }
    }
    // Group by source site; the sort is stable, so FEFO order holds within a site.
    lines.sort((a, b) => (a.siteCode < b.siteCode ? -1 : a.siteCode > b.siteCode ? 1 : 0));
  }

  const procurement: ProcurementLine[] = [];
  for (const site of siteCodes) {
    const required = Math.max(0, input.requiredBySite[site] ?? 0);
    const onHand = (bySite.get(site) ?? []).reduce((sum, b) => sum + b.quantity, 0);
    const out = leaving.get(site) ?? 0;
    const quantity = Math.max(0, required - (onHand - out));
    if (quantity === 0) continue;
    procurement.push({
      siteCode: site,
      itemTypeCode,
      quantity,
      reason: `restore the standard of ${required}: ${onHand} on hand, ${out} leaving in this round`,
    });
  }
  return { lines, procurement };
}
