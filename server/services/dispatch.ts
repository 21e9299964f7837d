import type { Highs } from "highs";
import type { AppDatabase } from "../db/database.ts";
import { DEPOT_TIERS, type DispatchState } from "../db/schema.ts";
import {
  DEFAULT_DISPATCH_PARAMS,
  type DispatchParams,
  type DispatchPlan,
  greedyDispatch,
  planDispatch,
  type SupplySource,
} from "../domain/dispatch.ts";
import { pickFefo } from "../domain/rotation.ts";
import { DomainError, InvalidInputError, NotFoundError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import { type LifecycleService, policyOf } from "./lifecycle.ts";
import type { ReferenceService } from "./reference.ts";
import type { StockService } from "./stock.ts";

interface OrderRow {
  id: number;
  incidentId: number;
  state: DispatchState;
  emergencyOverride: number;
  costModel: "distance" | "eta";
  totalCost: number;
  greedyCost: number;
  arrivalHours: number | null;
  shortfall: string;
  params: string;
  createdAt: number;
  approvedBy: string | null;
  approvedAt: number | null;
  dispatchedAt: number | null;
  deliveredAt: number | null;
  closedAt: number | null;
  closedBy: string | null;
  incidentName: string;
  incidentType: string;
  lat: number;
  lon: number;
  personnel: number;
  destinationSiteCode: string | null;
}

export interface DispatchLineRow {
  id: number;
  sourceSiteCode: string;
  sourceKind: "own" | "agreement" | "external";
  itemTypeCode: string;
  batchId: number | null;
  quantity: number;
  distanceKm: number;
  etaHours: number;
  dispatchedQty: number;
  deliveredQty: number;
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super(message, 409);
  }
}

export interface IncidentInput {
  name: string;
  type: string;
  lat: number;
  lon: number;
  personnel: number;
  items: Record<string, number>;
  destinationSiteCode: string | null;
  emergencyOverride: boolean;
  costModel: DispatchParams["costModel"];
  by: string;
}

const TRANSITIONS: Record<string, { from: DispatchState[]; to: DispatchState }> = {
  approve: { from: ["planned"], to: "approved" },
  dispatch: { from: ["approved"], to: "dispatched" },
  deliver: { from: ["dispatched"], to: "delivered" },
  close: { from: ["delivered"], to: "closed" },
  cancel: { from: ["planned", "approved"], to: "cancelled" },
};

/**
 * Incidents and dispatch orders. A plan holds its stock from the moment it is made (a reservation
 * per line, checked and written in one synchronous transaction), so two incidents planned at the
 * same moment can never allocate the same units; cancelling releases it.
 */
export class DispatchService {
  readonly #database: AppDatabase;
  readonly #reference: ReferenceService;
  readonly #stock: StockService;
  readonly #lifecycle: LifecycleService;
  readonly #events: EventBus;
  readonly #highs: () => Promise<Highs>;

  constructor(deps: {
    database: AppDatabase;
    reference: ReferenceService;
    stock: StockService;
    lifecycle: LifecycleService;
    events: EventBus;
    highs: () => Promise<Highs>;
  }) {
    this.#database = deps.database;
    this.#reference = deps.reference;
    this.#stock = deps.stock;
    this.#lifecycle = deps.lifecycle;
    this.#events = deps.events;
    this.#highs = deps.highs;
  }

  /** Quantities the incident needs: the per-person kit for its personnel plus explicit items. */
  demandFor(personnel: number, items: Record<string, number>): Record<string, number> {
    const demand: Record<string, number> = {};
    const types = this.#reference.listItemTypes();
    for (const [code, qty] of Object.entries(items)) {
      if (!types.some((t) => t.code === code))
        throw new InvalidInputError(`body/items: item type "${code}" does not exist`);
      demand[code] = (demand[code] ?? 0) + qty;
    }
    if (personnel > 0) {
      for (const t of types) {
        // 1e-9 keeps 2000 x 0.1 at 200, not 201 through binary fractions.
        const qty = Math.ceil(personnel * t.kitQtyPerPerson - 1e-9);
        if (qty > 0) demand[t.code] = (demand[t.code] ?? 0) + qty;
      }
    }
    return demand;
  }

  /** What each site may send: own depots keep their minimum standard unless the plan overrides it. */
  sources(emergencyOverride: boolean): SupplySource[] {
    // Expired stock is never sent to people: it leaves by disposal.
    const expired = new Map<string, number>();
    for (const b of this.#lifecycle.batches({ scope: null, today: this.#lifecycle.today() })) {
      if (b.status === "expired")
        expired.set(
          `${b.siteCode}|${b.itemTypeCode}`,
          (expired.get(`${b.siteCode}|${b.itemTypeCode}`) ?? 0) + b.quantity,
        );
    }
    return this.#reference.listSites().flatMap((site): SupplySource[] => {
      const own = DEPOT_TIERS.includes(site.tier);
      if (!own && site.tier !== "agreement" && site.tier !== "external") return [];
      const available: Record<string, number> = {};
      for (const line of this.#stock.forSite(site.code).items) {
        const usable = line.availableQty - (expired.get(`${site.code}|${line.itemTypeCode}`) ?? 0);
        const sendable = own && !emergencyOverride ? usable - line.minQty : usable;
        if (sendable > 0) available[line.itemTypeCode] = sendable;
      }
      return [
        {
          code: site.code,
          kind: own ? "own" : (site.tier as "agreement" | "external"),
          lat: site.lat,
          lon: site.lon,
          leadTimeHours: own ? 0 : (site.leadTimeHours ?? 0),
          available,
        },
      ];
    });
  }

  async createIncident(input: IncidentInput): Promise<{ incidentId: number; orderId: number }> {
    if (input.destinationSiteCode) this.#reference.getSite(input.destinationSiteCode);
    const demand = this.demandFor(input.personnel, input.items);
    if (Object.keys(demand).length === 0)
      throw new InvalidInputError("body: give personnel above 0 or at least one item");
    const params: Partial<DispatchParams> = { costModel: input.costModel };
    const highs = await this.#highs();
    // The solve reads available stock; the write re-checks it inside one transaction. If another
    // plan took the units in between, plan again on what is left.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const sources = this.sources(input.emergencyOverride);
      const target = { lat: input.lat, lon: input.lon, quantities: demand };
      const plan = await planDispatch(sources, target, params, highs);
      const greedy = greedyDispatch(sources, target, params);
      const written = this.#write(input, plan, greedy, params);
      if (written) {
        for (const line of plan.lines) {
          this.#events.emit("stock.changed", { siteCode: line.sourceCode, itemTypeCode: line.itemTypeCode });
        }
        this.#events.emit("dispatch.changed", { orderId: written.orderId });
        return written;
      }
    }
    throw new ConflictError("stock kept changing while planning; try again");
  }

  #write(
    input: IncidentInput,
    plan: DispatchPlan,
    greedy: DispatchPlan,
    params: Partial<DispatchParams>,
  ): { incidentId: number; orderId: number } | null {
    const sqlite = this.#database.sqlite;
    const today = this.#lifecycle.today();
    return sqlite.transaction(() => {
      const current = this.sources(input.emergencyOverride);
      for (const line of plan.lines) {
        const left = current.find((s) => s.code === line.sourceCode)?.available[line.itemTypeCode] ?? 0;
        if (line.quantity > left) return null;
      }
      const incidentId = Number(
        sqlite
          .prepare(
            "INSERT INTO incidents (name, type, lat, lon, personnel, destination_site_code, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
          )
          .run(
            input.name,
            input.type,
            input.lat,
            input.lon,
            input.personnel,
            input.destinationSiteCode,
            input.by,
          ).lastInsertRowid,
      );
      const orderId = Number(
        sqlite
          .prepare(
            `INSERT INTO dispatch_orders (incident_id, state, emergency_override, cost_model, total_cost, greedy_cost, arrival_hours, shortfall, params)
             VALUES (?, 'planned', ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            incidentId,
            input.emergencyOverride ? 1 : 0,
            plan.costModel,
            plan.totalCost,
            greedy.totalCost,
            plan.arrivalHours,
            JSON.stringify(plan.shortfall),
            JSON.stringify({ ...DEFAULT_DISPATCH_PARAMS, ...params }),
          ).lastInsertRowid,
      );
      const insertLine = sqlite.prepare(
        `INSERT INTO dispatch_lines (order_id, source_site_code, source_kind, item_type_code, batch_id, quantity, distance_km, eta_hours)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const reserve = sqlite.prepare(
        "INSERT INTO reservations (site_code, item_type_code, batch_id, quantity, reference) VALUES (?, ?, ?, ?, ?)",
      );
      const types = new Map(this.#reference.listItemTypes().map((t) => [t.code, t]));
      for (const line of plan.lines) {
        // Own stock leaves first-expiry-first-out; contract stock is the supplier's to pick.
        const picks =
          line.sourceKind === "own"
            ? this.#pick(
                line.sourceCode,
                line.itemTypeCode,
                line.quantity,
                today,
                types.get(line.itemTypeCode),
              )
            : [{ batchId: null, quantity: line.quantity }];
        for (const pick of picks) {
          insertLine.run(
            orderId,
            line.sourceCode,
            line.sourceKind,
            line.itemTypeCode,
            pick.batchId,
            pick.quantity,
            line.distanceKm,
            line.etaHours,
          );
          reserve.run(line.sourceCode, line.itemTypeCode, pick.batchId, pick.quantity, `dispatch:${orderId}`);
        }
      }
      return { incidentId, orderId };
    })();
  }

  #pick(
    siteCode: string,
    itemTypeCode: string,
    quantity: number,
    today: string,
    type: ReturnType<ReferenceService["listItemTypes"]>[number] | undefined,
  ) {
    if (!type) return [{ batchId: null, quantity }];
    const batches = this.#lifecycle.batches({ scope: [siteCode], itemTypeCode, today });
    // Units already held for other dispatches come out of the earliest batches first.
    const held = this.#database.sqlite
      .prepare(
        "SELECT batch_id AS batchId, sum(quantity) AS qty FROM reservations WHERE site_code = ? AND item_type_code = ? AND released_at IS NULL AND batch_id IS NOT NULL GROUP BY batch_id",
      )
      .all(siteCode, itemTypeCode) as Array<{ batchId: number; qty: number }>;
    const free = batches.map((b) => ({
      ...b,
      quantity: b.quantity - (held.find((h) => h.batchId === b.batchId)?.qty ?? 0),
    }));
    const { picks, shortfall } = pickFefo(
      free.filter((b) => b.quantity > 0),
      quantity,
      today,
      policyOf(type),
    );
    const lines: Array<{ batchId: number | null; quantity: number }> = picks;
    // Sensed stock can exceed what the batches record (untagged stock found on a shelf): the rest
    // leaves without a batch rather than not at all.
    if (shortfall > 0) lines.push({ batchId: null, quantity: shortfall });
    return lines;
  }

  order(id: number) {
    const sqlite = this.#database.sqlite;
    const order = sqlite
      .prepare(
        `SELECT o.id, o.incident_id AS incidentId, o.state, o.emergency_override AS emergencyOverride, o.cost_model AS costModel,
                o.total_cost AS totalCost, o.greedy_cost AS greedyCost, o.arrival_hours AS arrivalHours, o.shortfall, o.params,
                o.created_at AS createdAt, o.approved_by AS approvedBy, o.approved_at AS approvedAt, o.dispatched_at AS dispatchedAt,
                o.delivered_at AS deliveredAt, o.closed_at AS closedAt, o.closed_by AS closedBy,
                i.name AS incidentName, i.type AS incidentType, i.lat, i.lon, i.personnel, i.destination_site_code AS destinationSiteCode
         FROM dispatch_orders o JOIN incidents i ON i.id = o.incident_id WHERE o.id = ?`,
      )
      .get(id) as OrderRow | undefined;
    if (!order) throw new NotFoundError(`dispatch order ${id} does not exist`);
    const lines = sqlite
      .prepare(
        `SELECT id, source_site_code AS sourceSiteCode, source_kind AS sourceKind, item_type_code AS itemTypeCode, batch_id AS batchId,
                quantity, distance_km AS distanceKm, eta_hours AS etaHours, dispatched_qty AS dispatchedQty, delivered_qty AS deliveredQty
         FROM dispatch_lines WHERE order_id = ? ORDER BY id`,
      )
      .all(id) as DispatchLineRow[];
    const params = JSON.parse(order.params) as DispatchParams;
    return {
      ...order,
      emergencyOverride: order.emergencyOverride === 1,
      shortfall: JSON.parse(order.shortfall) as Array<{ itemTypeCode: string; missing: number }>,
      params,
      gainOverGreedy: order.greedyCost - order.totalCost,
      meetsTargetHours: order.arrivalHours !== null && order.arrivalHours <= params.targetHours,
      meetsCrossRegionTarget:
        order.arrivalHours !== null && order.arrivalHours <= params.crossRegionTargetHours,
      lines,
    };
  }

  /** Moves an order one step; dispatch and delivery write the ledger with who and when. */
  transition(id: number, action: keyof typeof TRANSITIONS, by: string, now = Date.now()): void {
    const step = TRANSITIONS[action];
    if (!step) throw new InvalidInputError(`unknown action ${action}`);
    const sqlite = this.#database.sqlite;
    const changed: Array<{ siteCode: string; itemTypeCode: string }> = [];
    sqlite.transaction(() => {
      const order = this.order(id);
      if (!step.from.includes(order.state)) {
        throw new ConflictError(`dispatch order ${id} is ${order.state}; it cannot be ${step.to} from there`);
      }
      const ledger = sqlite.prepare(
        `INSERT INTO stock_ledger (site_code, item_type_code, batch_id, kind, quantity, occurred_at, counterpart_site_code, reference, actor)
         VALUES (?, ?, ?, 'dispatch', ?, ?, ?, ?, ?)`,
      );
      const lines = sqlite
        .prepare(
          `SELECT id, source_site_code AS source, source_kind AS kind, item_type_code AS itemTypeCode, batch_id AS batchId,
                  quantity, dispatched_qty AS dispatched, delivered_qty AS delivered FROM dispatch_lines WHERE order_id = ?`,
        )
        .all(id) as Array<{
        id: number;
        source: string;
        kind: string;
        itemTypeCode: string;
        batchId: number | null;
        quantity: number;
        dispatched: number;
        delivered: number;
      }>;
      const destination = order.destinationSiteCode;
      if (action === "dispatch") {
        for (const line of lines) {
          const remaining = line.quantity - line.dispatched;
          if (remaining > 0 && line.kind === "own") {
            ledger.run(
              line.source,
              line.itemTypeCode,
              line.batchId,
              -remaining,
              now,
              destination,
              `dispatch:${id}`,
              by,
            );
            changed.push({ siteCode: line.source, itemTypeCode: line.itemTypeCode });
          }
        }
        sqlite.prepare("UPDATE dispatch_lines SET dispatched_qty = quantity WHERE order_id = ?").run(id);
        sqlite
          .prepare("UPDATE reservations SET released_at = ? WHERE reference = ? AND released_at IS NULL")
          .run(now, `dispatch:${id}`);
      }
      if (action === "deliver") {
        for (const line of lines) {
          const remaining = line.quantity - line.delivered;
          if (remaining > 0 && destination) {
            ledger.run(
              destination,
              line.itemTypeCode,
              line.batchId,
              remaining,
              now,
              line.source,
              `dispatch:${id}`,
              by,
            );
            changed.push({ siteCode: destination, itemTypeCode: line.itemTypeCode });
          }
        }
        sqlite.prepare("UPDATE dispatch_lines SET delivered_qty = dispatched_qty WHERE order_id = ?").run(id);
      }
      if (action === "cancel") {
        sqlite
          .prepare("UPDATE reservations SET released_at = ? WHERE reference = ? AND released_at IS NULL")
          .run(now, `dispatch:${id}`);
        for (const line of lines) changed.push({ siteCode: line.source, itemTypeCode: line.itemTypeCode });
      }
      const column = {
        approve: "approved_at",
        dispatch: "dispatched_at",
        deliver: "delivered_at",
        close: "closed_at",
        cancel: "closed_at",
      }[action];
      const who =
        action === "approve"
          ? ", approved_by = @by"
          : action === "close" || action === "cancel"
            ? ", closed_by = @by"
            : "";
      sqlite
        .prepare(`UPDATE dispatch_orders SET state = @state, ${column} = @now${who} WHERE id = @id`)
        .run({ state: step.to, now, by, id });
    })();
    for (const c of changed) this.#events.emit("stock.changed", c);
    this.#events.emit("dispatch.changed", { orderId: id });
  }

  list(limit: number) {
    return this.#database.sqlite
      .prepare(
        `SELECT o.id, o.state, o.total_cost AS totalCost, o.greedy_cost AS greedyCost, o.arrival_hours AS arrivalHours,
                i.id AS incidentId, i.name AS incidentName, i.type AS incidentType, i.lat, i.lon, i.personnel, o.created_at AS createdAt
         FROM dispatch_orders o JOIN incidents i ON i.id = o.incident_id ORDER BY o.id DESC LIMIT ?`,
      )
      .all(limit);
  }
}
