import type { AppDatabase } from "../db/database.ts";
import {
  applyRead,
  DEFAULT_PRESENCE_POLICY,
  type PresenceEvent,
  type PresencePolicy,
  sweepDeparture,
  type TagState,
  type ZoneRead,
} from "../domain/presence.ts";

/**
 * Presence states of all tags, in memory (the rules need recent signal history), rebuilt from the
 * tag_presence projection at start: a tag present there is present again, with its zone.
 */
export class PresenceTracker {
  readonly #database: AppDatabase;
  readonly policy: PresencePolicy;
  #states = new Map<string, TagState>();

  constructor(database: AppDatabase, policy: PresencePolicy = DEFAULT_PRESENCE_POLICY) {
    this.#database = database;
    this.policy = policy;
    this.reload();
  }

  reload(): void {
    const rows = this.#database.sqlite
      .prepare(
        "SELECT epc, site_code AS siteCode, zone, present, last_seen_at AS lastSeenAt FROM tag_presence",
      )
      .all() as Array<{
      epc: string;
      siteCode: string;
      zone: string | null;
      present: number;
      lastSeenAt: number;
    }>;
    this.#states = new Map(
      rows.map((row) => [
        row.epc,
        {
          epc: row.epc,
          siteCode: row.siteCode,
          present: row.present === 1,
          zone: row.zone,
          lastSeenAt: row.lastSeenAt,
          signals:
            row.present === 1 && row.zone
              ? {
                  [row.zone]: {
                    reads: this.policy.minReads,
                    rssi: this.policy.rssiFloorDbm,
                    lastSeenAt: row.lastSeenAt,
                  },
                }
              : {},
          portal: null,
        },
      ]),
    );
  }

  apply(read: ZoneRead): PresenceEvent[] {
    const { state, events } = applyRead(this.#states.get(read.epc), read, this.policy);
    this.#states.set(read.epc, state);
    return events;
  }

  /** Departures of tags unseen for longer than the policy allows. */
  sweep(now: number): PresenceEvent[] {
    const events: PresenceEvent[] = [];
    for (const [epc, state] of this.#states) {
      const result = sweepDeparture(state, now, this.policy);
      if (result.event) {
        this.#states.set(epc, result.state);
        events.push(result.event);
      }
    }
    return events;
  }
}
