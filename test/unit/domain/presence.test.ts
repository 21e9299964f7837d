import { describe, expect, it } from "vitest";
import {
  applyRead,
  DEFAULT_PRESENCE_POLICY,
  sweepDeparture,
  type TagState,
  type ZoneRead,
} from "../../../server/domain/presence.ts";

const EPC = "3074257BF7194E4000001A85";
const read = (
  zone: string,
  rssiDbm: number | null,
  time: number,
  role: ZoneRead["role"] = "storage",
): ZoneRead => ({
  epc: EPC,
  siteCode: "NX-C01",
  deviceId: "NX-C01-RD1",
  zone,
  role,
  rssiDbm,
  reads: 1,
  time,
});

function run(reads: ZoneRead[], policy = DEFAULT_PRESENCE_POLICY) {
  let state: TagState | undefined;
  const events = [];
  for (const r of reads) {
    const result = applyRead(state, r, policy);
    state = result.state;
    events.push(...result.events);
  }
  return { state: state as TagState, events };
}

describe("tag presence from raw reads", () => {
  it("needs the minimum reads above the RSSI floor before a tag is present", () => {
    const weak = run([read("A", -80, 1000), read("A", -82, 2000), read("A", -79, 3000)]);
    expect(weak.state?.present ?? false).toBe(false);
    expect(weak.events).toEqual([]);

    const one = run([read("A", -60, 1000)]);
    expect(one.state.present).toBe(false);
    const two = run([read("A", -60, 1000), read("A", -61, 2000)]);
    expect(two.events).toEqual([expect.objectContaining({ type: "arrived", zone: "A", at: 2000 })]);
    expect(two.state).toMatchObject({ present: true, zone: "A" });
  });

  it("does not move a tag on a stray read from a neighbouring zone", () => {
    const { state, events } = run([
      read("A", -55, 1000),
      read("A", -55, 2000),
      read("B", -58, 3000),
      read("B", -57, 4000),
      read("B", -56, 5000),
    ]);
    expect(events.map((e) => e.type)).toEqual(["arrived"]);
    expect(state.zone).toBe("A");
  });

  it("moves a tag when the new zone's signal beats the old by the margin", () => {
    const { state, events } = run([
      read("A", -65, 1000),
      read("A", -65, 2000),
      read("B", -50, 3000),
      read("B", -50, 4000),
    ]);
    expect(events.map((e) => e.type)).toEqual(["arrived", "moved"]);
    expect(events[1]).toMatchObject({ from: "A", to: "B", at: 4000 });
    expect(state.zone).toBe("B");
  });

  it("lets a tag depart after the unseen interval, not before", () => {
    const { state } = run([read("A", -60, 1000), read("A", -60, 2000)]);
    expect(sweepDeparture(state, 2000 + DEFAULT_PRESENCE_POLICY.departAfterMs).event).toBeNull();
    const gone = sweepDeparture(state, 2001 + DEFAULT_PRESENCE_POLICY.departAfterMs);
    expect(gone.event).toMatchObject({ type: "departed", zone: "A" });
    expect(gone.state.present).toBe(false);
  });

  it("reads a portal's antennas in order: outside then inside is in, inside then outside is out", () => {
    const inbound = run([
      read("DOCK", -60, 1000, "portal-outside"),
      read("DOCK", -58, 1500, "portal-inside"),
    ]);
    expect(inbound.events).toEqual([
      expect.objectContaining({ type: "passed", portal: "DOCK", direction: "in", at: 1500 }),
    ]);

    const outbound = run([
      read("A", -60, 0),
      read("A", -60, 100),
      read("DOCK", -60, 1000, "portal-inside"),
      read("DOCK", -60, 1200, "portal-inside"),
      read("DOCK", -60, 1500, "portal-outside"),
    ]);
    expect(outbound.events.map((e) => (e.type === "passed" ? `passed ${e.direction}` : e.type))).toEqual([
      "arrived",
      "passed out",
    ]);
    expect(outbound.state.present).toBe(false);
  });

  it("does not make a passage of two portal reads too far apart", () => {
    const { events } = run([
      read("DOCK", -60, 1000, "portal-outside"),
      read("DOCK", -60, 1000 + DEFAULT_PRESENCE_POLICY.portalWindowMs + 1, "portal-inside"),
    ]);
    expect(events).toEqual([]);
  });

  it("counts readers that report no RSSI as reads at the floor", () => {
    const { state } = run([read("A", null, 1000), read("A", null, 2000)]);
    expect(state.present).toBe(true);
  });
});
