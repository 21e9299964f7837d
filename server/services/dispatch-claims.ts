import type { AppDatabase } from "../db/database.ts";

export interface Claim {
  orderId: number;
  /** The other end: the incident's destination site for an exit, the source for an arrival. */
  counterpartSiteCode: string | null;
}

/**
 * Ties RFID portal passages to dispatch orders: a tag going out at a source confirms units of an
 * approved order's line there; a tag coming in at the incident's destination site confirms
 * delivery. Runs inside the ingest transaction, so a passage counts once.
 */
export class DispatchClaims {
  readonly #s;

  constructor(database: AppDatabase) {
    const sqlite = database.sqlite;
    this.#s = {
      outLine: sqlite.prepare(
        `SELECT l.id, l.order_id AS orderId, l.quantity - l.dispatched_qty AS remaining, i.destination_site_code AS destination
         FROM dispatch_lines l JOIN dispatch_orders o ON o.id = l.order_id JOIN incidents i ON i.id = o.incident_id
         WHERE o.state = 'approved' AND l.source_site_code = ? AND l.item_type_code = ? AND l.dispatched_qty < l.quantity
         ORDER BY o.id, l.id LIMIT 1`,
      ),
      dispatched: sqlite.prepare(
        "UPDATE dispatch_lines SET dispatched_qty = dispatched_qty + ? WHERE id = ?",
      ),
      release: sqlite.prepare(
        `UPDATE reservations SET quantity = quantity - @take, released_at = CASE WHEN quantity - @take <= 0 THEN @at END
         WHERE id = (SELECT id FROM reservations WHERE reference = @reference AND site_code = @site AND item_type_code = @type
                     AND released_at IS NULL ORDER BY id LIMIT 1)`,
      ),
      allDispatched: sqlite.prepare(
        "SELECT count(*) AS n FROM dispatch_lines WHERE order_id = ? AND source_kind = 'own' AND dispatched_qty < quantity",
      ),
      markDispatched: sqlite.prepare(
        "UPDATE dispatch_orders SET state = 'dispatched', dispatched_at = ? WHERE id = ?",
      ),
      inLine: sqlite.prepare(
        `SELECT l.id, l.order_id AS orderId, l.source_site_code AS source
         FROM dispatch_lines l JOIN dispatch_orders o ON o.id = l.order_id JOIN incidents i ON i.id = o.incident_id
         WHERE o.state = 'dispatched' AND i.destination_site_code = ? AND l.item_type_code = ? AND l.delivered_qty < l.dispatched_qty
         ORDER BY o.id, l.id LIMIT 1`,
      ),
      delivered: sqlite.prepare("UPDATE dispatch_lines SET delivered_qty = delivered_qty + ? WHERE id = ?"),
      allDelivered: sqlite.prepare(
        "SELECT count(*) AS n FROM dispatch_lines WHERE order_id = ? AND delivered_qty < dispatched_qty",
      ),
      markDelivered: sqlite.prepare(
        "UPDATE dispatch_orders SET state = 'delivered', delivered_at = ? WHERE id = ?",
      ),
    };
  }

  /** A tagged unit left `siteCode` through a portal: is it part of an approved dispatch? */
  claimExit(siteCode: string, itemTypeCode: string, units: number, at: number): Claim | null {
    const line = this.#s.outLine.get(siteCode, itemTypeCode) as
      | { id: number; orderId: number; remaining: number; destination: string | null }
      | undefined;
    if (!line) return null;
    const take = Math.min(units, line.remaining);
    this.#s.dispatched.run(take, line.id);
    this.#s.release.run({
      take,
      at,
      reference: `dispatch:${line.orderId}`,
      site: siteCode,
      type: itemTypeCode,
    });
    if ((this.#s.allDispatched.get(line.orderId) as { n: number }).n === 0)
      this.#s.markDispatched.run(at, line.orderId);
    return { orderId: line.orderId, counterpartSiteCode: line.destination };
  }

  /** A tagged unit came in at `siteCode`: is it a delivery of a dispatched order? */
  claimArrival(siteCode: string, itemTypeCode: string, units: number, at: number): Claim | null {
    const line = this.#s.inLine.get(siteCode, itemTypeCode) as
      | { id: number; orderId: number; source: string }
      | undefined;
    if (!line) return null;
    this.#s.delivered.run(units, line.id);
    if ((this.#s.allDelivered.get(line.orderId) as { n: number }).n === 0)
      this.#s.markDelivered.run(at, line.orderId);
    return { orderId: line.orderId, counterpartSiteCode: line.source };
  }
}
