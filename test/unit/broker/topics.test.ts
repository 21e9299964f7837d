import { describe, expect, it } from "vitest";
import { deviceTopic, memberTopic, parseDeviceTopic, parseMemberTopic } from "../../../broker/topics.ts";

describe("device topics", () => {
  it("round-trips sites/{site}/{kind}/{device}", () => {
    const topic = deviceTopic("NX-C01", "shelf", "NX-C01-SH1");
    expect(topic).toBe("sites/NX-C01/shelf/NX-C01-SH1");
    expect(parseDeviceTopic(topic)).toEqual({
      ok: true,
      topic: { siteCode: "NX-C01", kind: "shelf", deviceId: "NX-C01-SH1" },
    });
  });

  it.each([
    ["sites/NX-C01/shelf", /is not sites\/\{siteCode\}/],
    ["sites/NX-C01/shelf/D1/extra", /is not sites\/\{siteCode\}/],
    ["depots/NX-C01/shelf/D1", /is not sites\/\{siteCode\}/],
    ["sites/NX-C01/door/D1", /topic kind "door"/],
    ["sites//shelf/D1", /site code "" is not valid/],
    ["sites/NX C01/shelf/D1", /site code "NX C01"/],
    ["sites/NX-C01/shelf/..", /device id "\.\." is not valid/],
  ])("rejects %s with a reason", (topic, reason) => {
    const parsed = parseDeviceTopic(topic);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it("keeps control characters out of the reason it echoes", () => {
    const parsed = parseDeviceTopic("sites/\u0000\u001b[31m/shelf/D1");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect([...parsed.reason].every((c) => (c >= " " && c <= "~") || c === "…")).toBe(true);
  });

  it("carries a cluster member's receipt time in its stamped topic, and nothing else as one", () => {
    const topic = memberTopic(1_795_600_000_123, "sites/NX-C01/env/NX-C01-ENV1");
    expect(topic).toBe("ingest/1795600000123/sites/NX-C01/env/NX-C01-ENV1");
    expect(parseMemberTopic(topic)).toEqual({
      receivedAt: 1_795_600_000_123,
      topic: "sites/NX-C01/env/NX-C01-ENV1",
    });
    for (const other of [
      "sites/NX-C01/env/NX-C01-ENV1",
      "ingest/soon/sites/NX-C01/env/NX-C01-ENV1",
      "ingest//sites/NX-C01/env/NX-C01-ENV1",
      "ingest/-5/sites/NX-C01/env/NX-C01-ENV1",
      "ingest/1795600000123",
    ]) {
      expect(parseMemberTopic(other)).toBeNull();
    }
  });
});
