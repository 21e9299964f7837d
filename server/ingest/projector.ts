import type { AppDatabase } from "../db/database.ts";
import {
  type EnvMeasurement,
  type Evidence,
  type Excursion,
  type ExcursionRule,
  evaluateExcursions,
  type PendingBreach,
  type StorageLimits,
} from "../domain/excursion.ts";
import type { PresenceEvent } from "../domain/presence.ts";
import { shelfCount } from "../domain/shelf.ts";
import type { PlatformEvents } from "../events.ts";
import type { DeviceRegistry } from "../services/device-registry.ts";
import { DispatchClaims } from "../services/dispatch-claims.ts";
import type { PresenceTracker } from "../services/presence-tracker.ts";
import type { TagRegistry } from "../services/tag-registry.ts";
import type { DecodedMessage, Reading } from "./decoders/index.ts";

export interface StockChange {
  siteCode: string;
  itemTypeCode: string;
}

export type ShelfMovement = PlatformEvents["shelf.movement"];

interface ShelfState {
  weightKg: number;
  units: number;
  readingAt: number;
  journalId: number | null;
  /** Whether the batch changed it (and it must be written). */
  changed: boolean;
}

/**
 * Turns decoded messages into the projections keepers read: shelf counts and movements, tag presence
 * and the ledger entries portal passages write, unknown tags, environment excursions, device
 * online state. Runs inside the processor's transaction, so a batch is projected whole or not at all.
 */
export class Projector {
  readonly #registry: DeviceRegistry;
  readonly #tags: TagRegistry;
  readonly #presence: PresenceTracker;
  readonly #claims: DispatchClaims;
  readonly #statements;
  /** Shelf movements of the batch being projected, announced once its transaction has committed. */
  #movements: ShelfMovement[] = [];
  /** Dispatch orders that RFID portal passages moved in the batch being projected. */
  #claimedOrders = new Set<number>();
  /** Tags read in the batch being projected without a presence change: epc -> latest sighting. */
  readonly #sightings = new Map<string, { at: number; deviceId: string }>();
  /**
   * Shelf states of the batch being projected: read once per shelf per batch and written once at its
   * end, rather than a read and an upsert per reading. null: the shelf has no state yet.
   */
  readonly #shelves = new Map<string, ShelfState | null>();

  readonly #excursionDefaults: ExcursionRule;

  constructor(deps: {
    database: AppDatabase;
    registry: DeviceRegistry;
    tags: TagRegistry;
    presence: PresenceTracker;
    /** When a breach becomes an excursion, for item types that leave it unset. */
    excursionDefaults: ExcursionRule;
  }) {
    this.#excursionDefaults = deps.excursionDefaults;
    this.#registry = deps.registry;
    this.#tags = deps.tags;
    this.#presence = deps.presence;
    this.#claims = new DispatchClaims(deps.database);
    const sqlite = deps.database.sqlite;
    this.#statements = {
      shelfState: sqlite.prepare(
        "SELECT weight_kg AS weightKg, units, reading_at AS readingAt, journal_id AS journalId FROM shelf_state WHERE device_id = ?",
      ),
      upsertShelf: sqlite.prepare(
        `INSERT INTO shelf_state (device_id, weight_kg, units, reading_at, journal_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET weight_kg = excluded.weight_kg, units = excluded.units,
           reading_at = excluded.reading_at, journal_id = excluded.journal_id`,
      ),
      shelfMovement: sqlite.prepare(
        `INSERT OR IGNORE INTO shelf_movements (device_id, site_code, item_type_code, from_units, to_units, occurred_at, journal_id)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      deviceStatus: sqlite.prepare(
        "UPDATE devices SET online = ?, status_at = ? WHERE id = ? AND (status_at IS NULL OR status_at <= ?)",
      ),
      heldItemLimits: sqlite.prepare(
        `SELECT it.code AS itemTypeCode, it.storage_min_temp_c AS minTempC, it.storage_max_temp_c AS maxTempC,
                it.storage_max_rh_pct AS maxRhPct,
                coalesce(it.excursion_min_readings, @minReadings) AS minReadings,
                coalesce(it.excursion_min_duration_s, @minDurationS) AS minDurationS
         FROM item_types it
         WHERE it.code IN (SELECT item_type_code FROM stock_ledger WHERE site_code = @siteCode
                           GROUP BY item_type_code HAVING sum(quantity) > 0)`,
      ),
      // The open ones, and a closed one whose span holds the time (what a late reading may touch).
      excursions: sqlite.prepare(
        `SELECT id, item_type_code AS itemTypeCode, measurement, bound, limit_value AS limitValue, peak_value AS peakValue,
                started_at AS startedAt, ended_at AS endedAt
         FROM env_excursions
         WHERE device_id = @deviceId AND measurement = @measurement
           AND (ended_at IS NULL OR (started_at <= @time AND ended_at > @time))`,
      ),
      latestEvaluated: sqlite.prepare(
        "SELECT latest_at AS latestAt FROM env_evaluated WHERE device_id = ? AND measurement = ?",
      ),
      setEvaluated: sqlite.prepare(
        `INSERT INTO env_evaluated (device_id, measurement, latest_at) VALUES (?, ?, ?)
         ON CONFLICT (device_id, measurement) DO UPDATE SET latest_at = excluded.latest_at`,
      ),
      pendingBreaches: sqlite.prepare(
        `SELECT item_type_code AS itemTypeCode, measurement, bound, limit_value AS limitValue, started_at AS startedAt,
                readings AS count, evidence
         FROM env_pending_breaches WHERE device_id = ? AND measurement = ?`,
      ),
      clearPendingBreaches: sqlite.prepare(
        "DELETE FROM env_pending_breaches WHERE device_id = ? AND measurement = ?",
      ),
      insertPendingBreach: sqlite.prepare(
        `INSERT INTO env_pending_breaches (device_id, measurement, item_type_code, bound, limit_value, started_at, readings, evidence)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      batchesOf: sqlite.prepare(
        `SELECT b.id FROM batches b JOIN stock_ledger l ON l.batch_id = b.id
         WHERE b.site_code = ? AND b.item_type_code = ? GROUP BY b.id HAVING sum(l.quantity) > 0 ORDER BY b.id`,
      ),
      openExcursion: sqlite.prepare(
        `INSERT INTO env_excursions (site_code, device_id, item_type_code, measurement, bound, limit_value, peak_value, started_at, batch_ids, evidence)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      flagQuality: sqlite.prepare(
        "INSERT OR IGNORE INTO quality_checks (batch_id, excursion_id, flagged_at) VALUES (?, ?, ?)",
      ),
      raisePeak: sqlite.prepare(
        `UPDATE env_excursions SET peak_value = @value,
           evidence = CASE WHEN evidence IS NULL THEN NULL ELSE json_set(evidence, '$.peak', json(@peak)) END
         WHERE id = @id`,
      ),
      closeExcursion: sqlite.prepare("UPDATE env_excursions SET ended_at = ? WHERE id = ?"),
      unknownTag: sqlite.prepare(
        `INSERT INTO unknown_tags (epc, site_code, device_id, reason, first_seen_at, last_seen_at, read_count)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (epc, site_code) DO UPDATE SET device_id = excluded.device_id,
           last_seen_at = max(last_seen_at, excluded.last_seen_at), read_count = read_count + excluded.read_count`,
      ),
      presence: sqlite.prepare("SELECT in_transit_from AS inTransitFrom FROM tag_presence WHERE epc = ?"),
      upsertPresence: sqlite.prepare(
        `INSERT INTO tag_presence (epc, site_code, zone, item_type_code, batch_id, units, present, in_transit_from,
                                   first_seen_at, last_seen_at, last_device_id, home_site_code)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (epc) DO UPDATE SET site_code = excluded.site_code, zone = excluded.zone, present = excluded.present,
           in_transit_from = excluded.in_transit_from, last_seen_at = max(last_seen_at, excluded.last_seen_at),
           last_device_id = excluded.last_device_id, item_type_code = excluded.item_type_code,
           batch_id = excluded.batch_id, units = excluded.units, home_site_code = excluded.home_site_code`,
      ),
      depart: sqlite.prepare(
        "UPDATE tag_presence SET present = 0, zone = NULL WHERE epc = ? AND site_code = ?",
      ),
      touchPresence: sqlite.prepare(
        "UPDATE tag_presence SET last_seen_at = max(last_seen_at, ?), last_device_id = ? WHERE epc = ?",
      ),
      ledger: sqlite.prepare(
        `INSERT INTO stock_ledger (site_code, item_type_code, batch_id, kind, quantity, occurred_at, counterpart_site_code,
                                   device_id, tag_epc, reference, actor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'rfid-portal')`,
      ),
    };
  }

  /** The shelf movements projected since the last call (the caller announces them after commit). */
  takeMovements(): ShelfMovement[] {
    const movements = this.#movements;
    this.#movements = [];
    return movements;
  }

  /** The dispatch orders portal passages confirmed since the last call (announced after commit). */
  takeClaimedOrders(): number[] {
    const ids = [...this.#claimedOrders];
    this.#claimedOrders.clear();
    return ids;
  }

  /**
   * Writes what the batch kept in memory: the last-seen times of tags read without any presence
   * change, once per tag per batch rather than once per read (a reader reports the same shelf of
   * tags every cycle), and each shelf's latest state once. Called inside the batch's transaction.
   */
  flushBatch(): void {
    for (const [epc, seen] of this.#sightings)
      this.#statements.touchPresence.run(seen.at, seen.deviceId, epc);
    this.#sightings.clear();
    for (const [deviceId, state] of this.#shelves) {
      if (state?.changed)
        this.#statements.upsertShelf.run(
          deviceId,
          state.weightKg,
          state.units,
          state.readingAt,
          state.journalId,
        );
    }
    this.#shelves.clear();
  }

  /** Forgets what the batch being rolled back had projected in memory. */
  discardBatch(): void {
    this.#movements = [];
    this.#claimedOrders.clear();
    this.#sightings.clear();
    this.#shelves.clear();
  }

  /** Projects one stored message. Returns the (site, item type) pairs whose stock may have changed. */
  apply(decoded: DecodedMessage, journalId: number): StockChange[] {
    switch (decoded.kind) {
      case "shelf":
        return this.#shelf(decoded, journalId);
      case "env":
        this.#environment(decoded);
        return [];
      case "status": {
        const online = decoded.readings.find((r) => r.measurement === "online");
        if (online) {
          this.#statements.deviceStatus.run(
            online.value === 1 ? 1 : 0,
            online.time,
            decoded.deviceId,
            online.time,
          );
        }
        return [];
      }
      case "rfid":
        return this.#rfid(decoded, journalId);
    }
  }

  #shelf(decoded: DecodedMessage, journalId: number): StockChange[] {
    const shelf = this.#registry.get(decoded.deviceId)?.shelf;
    const weight = latest(decoded.readings, "weight");
    if (!shelf || !weight) return [];
    let previous = this.#shelves.get(decoded.deviceId);
    if (previous === undefined) {
      const row = this.#statements.shelfState.get(decoded.deviceId) as
        | { units: number; readingAt: number; weightKg: number; journalId: number | null }
        | undefined;
      previous = row ? { ...row, changed: false } : null;
      this.#shelves.set(decoded.deviceId, previous);
    }
    // A late reading older than the one shown changes nothing: the shelf has moved on since.
    if (previous && weight.time < previous.readingAt) return [];
    const units = shelfCount(previous?.units ?? null, weight.value, shelf.tareKg, shelf.unitWeightKg);
    if (previous && previous.units !== units) {
      this.#movements.push({
        deviceId: decoded.deviceId,
        siteCode: decoded.siteCode,
        itemTypeCode: shelf.itemTypeCode,
        fromUnits: previous.units,
        toUnits: units,
        at: weight.time,
      });
      this.#statements.shelfMovement.run(
        decoded.deviceId,
        decoded.siteCode,
        shelf.itemTypeCode,
        previous.units,
        units,
        weight.time,
        journalId,
      );
    }
    // Kept until flushBatch(), after the statements above, so a message whose statements failed
    // (and were rolled back to its savepoint) leaves no trace here either.
    this.#shelves.set(decoded.deviceId, {
      weightKg: weight.value,
      units,
      readingAt: weight.time,
      journalId,
      changed: true,
    });
    return previous?.units === units
      ? []
      : [{ siteCode: decoded.siteCode, itemTypeCode: shelf.itemTypeCode }];
  }

  #environment(decoded: DecodedMessage): void {
    const envReadings = decoded.readings.filter(
      (r): r is Reading & { measurement: EnvMeasurement } =>
        r.measurement === "temp" || r.measurement === "hum",
    );
    if (envReadings.length === 0) return;
    const s = this.#statements;
    const limits = s.heldItemLimits.all({
      ...this.#excursionDefaults,
      siteCode: decoded.siteCode,
    }) as StorageLimits[];
    const { deviceId, siteCode } = decoded;
    // Oldest first; what was judged before (other messages, batches, runs) is in the tables.
    for (const reading of [...envReadings].sort((a, b) => a.time - b.time)) {
      const { measurement, time } = reading;
      const latest = s.latestEvaluated.get(deviceId, measurement) as { latestAt: number } | undefined;
      const pending = (
        s.pendingBreaches.all(deviceId, measurement) as Array<
          Omit<PendingBreach, "evidence"> & { evidence: string }
        >
      ).map((p) => ({ ...p, evidence: JSON.parse(p.evidence) as Evidence }));
      const changes = evaluateExcursions(
        {
          latestAt: latest?.latestAt ?? null,
          excursions: s.excursions.all({ deviceId, measurement, time }) as Excursion[],
          pending,
        },
        reading,
        limits,
      );
      for (const o of changes.opened) {
        const batchIds = (s.batchesOf.all(siteCode, o.itemTypeCode) as Array<{ id: number }>).map(
          (b) => b.id,
        );
        const opened = s.openExcursion.run(
          siteCode,
          deviceId,
          o.itemTypeCode,
          o.measurement,
          o.bound,
          o.limitValue,
          o.peakValue,
          o.startedAt,
          JSON.stringify(batchIds),
          JSON.stringify(o.evidence),
        );
        // Every batch stored through it needs a quality check before it is trusted again.
        for (const batchId of batchIds) {
          s.flagQuality.run(batchId, Number(opened.lastInsertRowid), o.startedAt);
        }
      }
      for (const p of changes.peaks) {
        s.raisePeak.run({ id: p.id, value: p.peak.value, peak: JSON.stringify(p.peak) });
      }
      for (const c of changes.closed) s.closeExcursion.run(c.endedAt, c.id);
      if (changes.latestAt !== latest?.latestAt) s.setEvaluated.run(deviceId, measurement, changes.latestAt);
      if (pending.length > 0 || changes.pending.length > 0) {
        s.clearPendingBreaches.run(deviceId, measurement);
        for (const p of changes.pending) {
          s.insertPendingBreach.run(
            deviceId,
            measurement,
            p.itemTypeCode,
            p.bound,
            p.limitValue,
            p.startedAt,
            p.count,
            JSON.stringify(p.evidence),
          );
        }
      }
    }
  }

  #rfid(decoded: DecodedMessage, journalId: number): StockChange[] {
    const changes = new Map<string, StockChange>();
    for (const read of decoded.tagReads ?? []) {
      const lookup = this.#tags.lookup(read.epcHex);
      if (!lookup.known) {
        this.#statements.unknownTag.run(
          read.epcHex,
          decoded.siteCode,
          decoded.deviceId,
          lookup.reason,
          read.time,
          read.time,
          read.reads,
        );
        continue;
      }
      const antenna = this.#registry.antenna(decoded.deviceId, read.antenna);
      const events = this.#presence.apply({
        epc: read.epcHex,
        siteCode: decoded.siteCode,
        deviceId: decoded.deviceId,
        zone: antenna.zone,
        role: antenna.role,
        rssiDbm: read.rssiDbm,
        reads: read.reads,
        time: read.time,
      });
      const identity = lookup.identity;
      for (const event of events) {
        this.#presenceEvent(event, identity, journalId);
        changes.set(`${event.siteCode}|${identity.itemTypeCode}`, {
          siteCode: event.siteCode,
          itemTypeCode: identity.itemTypeCode,
        });
      }
      if (events.length === 0) {
        const seen = this.#sightings.get(read.epcHex);
        if (!seen || read.time >= seen.at)
          this.#sightings.set(read.epcHex, { at: read.time, deviceId: decoded.deviceId });
      }
    }
    return [...changes.values()];
  }

  /** Departures found by the periodic sweep. */
  applyDepartures(events: PresenceEvent[]): StockChange[] {
    const changes: StockChange[] = [];
    for (const event of events) {
      const lookup = this.#tags.lookup(event.epc);
      this.#statements.depart.run(event.epc, event.siteCode);
      if (lookup.known)
        changes.push({ siteCode: event.siteCode, itemTypeCode: lookup.identity.itemTypeCode });
    }
    return changes;
  }

  #presenceEvent(
    event: PresenceEvent,
    identity: { itemTypeCode: string; batchId: number | null; units: number; siteCode: string | null },
    journalId: number,
  ): void {
    const s = this.#statements;
    const upsert = (
      zone: string | null,
      present: boolean,
      inTransitFrom: string | null,
      deviceId: string | null,
    ) =>
      s.upsertPresence.run(
        event.epc,
        event.siteCode,
        zone,
        identity.itemTypeCode,
        identity.batchId,
        identity.units,
        present ? 1 : 0,
        inTransitFrom,
        event.at,
        event.at,
        deviceId,
        identity.siteCode,
      );
    switch (event.type) {
      case "arrived":
        upsert(event.zone, true, null, event.deviceId);
        return;
      case "moved":
        upsert(event.to, true, null, event.deviceId);
        return;
      case "departed":
        s.depart.run(event.epc, event.siteCode);
        return;
      case "passed": {
        const reference = `journal:${journalId}:${event.portal}`;
        const ledger = (kind: string, quantity: number, counterpart: string | null, ref = reference) =>
          s.ledger.run(
            event.siteCode,
            identity.itemTypeCode,
            identity.batchId,
            kind,
            quantity,
            event.at,
            counterpart,
            event.deviceId,
            event.epc,
            ref,
          );
        if (event.direction === "out") {
          // Out through the dock for an approved dispatch: the ledger says dispatch, not issue.
          const claim = this.#claims.claimExit(
            event.siteCode,
            identity.itemTypeCode,
            identity.units,
            event.at,
          );
          if (claim) {
            ledger("dispatch", -identity.units, claim.counterpartSiteCode, `dispatch:${claim.orderId}`);
            this.#claimedOrders.add(claim.orderId);
          } else ledger("issue", -identity.units, null);
          upsert(null, false, event.siteCode, event.deviceId);
        } else {
          const delivery = this.#claims.claimArrival(
            event.siteCode,
            identity.itemTypeCode,
            identity.units,
            event.at,
          );
          if (delivery) {
            this.#claimedOrders.add(delivery.orderId);
            ledger("dispatch", identity.units, delivery.counterpartSiteCode, `dispatch:${delivery.orderId}`);
            upsert(null, false, null, event.deviceId);
            return;
          }
          const before = s.presence.get(event.epc) as { inTransitFrom: string | null } | undefined;
          const from = before?.inTransitFrom ?? null;
          // Out of one site and in at another: a transfer between them; otherwise a receipt.
          if (from && from !== event.siteCode) ledger("transfer", identity.units, from);
          else ledger("receipt", identity.units, null);
          upsert(null, false, null, event.deviceId);
        }
        return;
      }
    }
  }
}

function latest(readings: readonly Reading[], measurement: string): Reading | undefined {
  let found: Reading | undefined;
  for (const r of readings) {
    if (r.measurement === measurement && (!found || r.time >= found.time)) found = r;
  }
  return found;
}
