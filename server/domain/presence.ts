/**
 * From raw RFID reads to tag presence. Raw reads are noisy: a tag near a portal is read by the wrong
 * antenna, a tag on a shelf is not read every cycle. The rules follow EPCglobal ALE and the EdgeX
 * inventory service: an RSSI floor and a minimum read count before a tag counts as present; a tag
 * moves to another zone only when its smoothed signal there beats the old zone by a margin; it
 * departs after going unseen for an interval; portal direction comes from the order of its antennas.
 * Pure: the caller keeps the states and persists what the events say.
 */

export interface PresencePolicy {
  /** Reads weaker than this (dBm) are ignored. */
  rssiFloorDbm: number;
  /** Reads in a zone before a tag counts as present there. */
  minReads: number;
  /** A tag moves only when the new zone's smoothed RSSI beats the old one by this many dB (EdgeX: 6). */
  moveMarginDb: number;
  /** Unseen this long (ms), a present tag has departed (EdgeX: 600 s). */
  departAfterMs: number;
  /** Reads on the two sides of a portal within this window (ms) make one passage. */
  portalWindowMs: number;
  /** Weight of a new read in the smoothed RSSI (exponential moving average). */
  rssiSmoothing: number;
}

export const DEFAULT_PRESENCE_POLICY: PresencePolicy = {
  rssiFloorDbm: -75,
  minReads: 2,
  moveMarginDb: 6,
  departAfterMs: 600_000,
  portalWindowMs: 15_000,
  rssiSmoothing: 0.3,
};

export type AntennaRole = "storage" | "portal-outside" | "portal-inside";

export interface ZoneRead {
  epc: string;
  siteCode: string;
  deviceId: string;
  /** Storage zone, or the portal's name. */
  zone: string;
  role: AntennaRole;
  rssiDbm: number | null;
  reads: number;
  time: number;
}

interface ZoneSignal {
  reads: number;
  /** Smoothed RSSI; readers that report none count as the floor. */
  rssi: number;
  lastSeenAt: number;
}

export interface TagState {
  epc: string;
  siteCode: string;
  present: boolean;
  zone: string | null;
  lastSeenAt: number;
  signals: Record<string, ZoneSignal>;
  /** The last portal side this tag was read on, waiting for the other side. */
  portal: { zone: string; side: "outside" | "inside"; at: number } | null;
}

export type PresenceEvent =
  | { type: "arrived"; epc: string; siteCode: string; zone: string; at: number; deviceId: string }
  | { type: "moved"; epc: string; siteCode: string; from: string; to: string; at: number; deviceId: string }
  | { type: "departed"; epc: string; siteCode: string; zone: string | null; at: number }
  | {
      type: "passed";
      epc: string;
      siteCode: string;
      portal: string;
      direction: "in" | "out";
      at: number;
      deviceId: string;
    };

export function newTagState(epc: string, siteCode: string): TagState {
  return { epc, siteCode, present: false, zone: null, lastSeenAt: 0, signals: {}, portal: null };
}

/** Applies one read to a tag's state. Returns the new state and what happened. */
export function applyRead(
  previous: TagState | undefined,
  read: ZoneRead,
  policy: PresencePolicy = DEFAULT_PRESENCE_POLICY,
): { state: TagState; events: PresenceEvent[] } {
  let state: TagState = previous
    ? { ...previous, signals: { ...previous.signals } }
    : newTagState(read.epc, read.siteCode);
  const events: PresenceEvent[] = [];
  if (read.rssiDbm !== null && read.rssiDbm < policy.rssiFloorDbm)
    return { state: previous ?? state, events };

  if (state.siteCode !== read.siteCode) {
    // Seen at another site: whatever was known at the old one no longer holds.
    if (state.present)
      events.push({
        type: "departed",
        epc: state.epc,
        siteCode: state.siteCode,
        zone: state.zone,
        at: read.time,
      });
    state = newTagState(read.epc, read.siteCode);
  }
  state.lastSeenAt = Math.max(state.lastSeenAt, read.time);

  if (read.role !== "storage") {
    const side = read.role === "portal-outside" ? "outside" : "inside";
    const earlier = state.portal;
    if (
      earlier &&
      earlier.zone === read.zone &&
      earlier.side !== side &&
      read.time - earlier.at <= policy.portalWindowMs
    ) {
      const direction = earlier.side === "outside" ? "in" : "out";
      events.push({
        type: "passed",
        epc: state.epc,
        siteCode: state.siteCode,
        portal: read.zone,
        direction,
        at: read.time,
        deviceId: read.deviceId,
      });
      state.portal = null;
      if (direction === "out") {
        state.present = false;
        state.zone = null;
        state.signals = {};
      }
    } else {
      state.portal = { zone: read.zone, side, at: read.time };
    }
    return { state, events };
  }

  const rssi = read.rssiDbm ?? policy.rssiFloorDbm;
  const old = state.signals[read.zone];
  const stale = !old || read.time - old.lastSeenAt > policy.departAfterMs;
  const signal: ZoneSignal = stale
    ? { reads: read.reads, rssi, lastSeenAt: read.time }
    : {
        reads: old.reads + read.reads,
        rssi: old.rssi + policy.rssiSmoothing * (rssi - old.rssi),
        lastSeenAt: Math.max(old.lastSeenAt, read.time),
      };
  state.signals[read.zone] = signal;
  if (signal.reads < policy.minReads) return { state, events };

  if (!state.present) {
    state.present = true;
    state.zone = read.zone;
    events.push({
      type: "arrived",
      epc: state.epc,
      siteCode: state.siteCode,
      zone: read.zone,
      at: read.time,
      deviceId: read.deviceId,
    });
  } else if (state.zone !== read.zone) {
    const current = state.zone === null ? undefined : state.signals[state.zone];
    const currentRssi =
      current && read.time - current.lastSeenAt <= policy.departAfterMs
        ? current.rssi
        : Number.NEGATIVE_INFINITY;
    if (signal.rssi >= currentRssi + policy.moveMarginDb) {
      events.push({
        type: "moved",
        epc: state.epc,
        siteCode: state.siteCode,
        from: state.zone ?? "",
        to: read.zone,
        at: read.time,
        deviceId: read.deviceId,
      });
      state.zone = read.zone;
    }
  }
  return { state, events };
}

/** A present tag unseen for longer than the policy allows has departed. */
export function sweepDeparture(
  state: TagState,
  now: number,
  policy: PresencePolicy = DEFAULT_PRESENCE_POLICY,
): { state: TagState; event: PresenceEvent | null } {
  if (!state.present || now - state.lastSeenAt <= policy.departAfterMs) return { state, event: null };
  return {
    state: { ...state, present: false, zone: null, signals: {} },
    event: { type: "departed", epc: state.epc, siteCode: state.siteCode, zone: state.zone, at: now },
  };
}
