import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fmtDateTime, getTimeZone, setTimeZone, todayOf } from "../../../web/src/i18n.ts";
import { daysBetween } from "../../../web/src/views/deadlines.ts";

/**
 * The console runs in whatever zone the keeper's browser is set to; its days are the depot's. The
 * "browser" here is this process with TZ set to Los Angeles, 16 hours behind Beijing.
 */
describe("the console's days in a browser of another time zone", () => {
  const savedTz = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = "America/Los_Angeles";
  });
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  // 00:30 on 2026-12-02 in Beijing; 08:30 on 2026-12-01 in Los Angeles.
  const now = Date.parse("2026-12-01T16:30:00Z");

  it("counts days left to a deadline from the deployment's today, not the browser's", () => {
    // The premise: the browser's own calendar is still on the 1st.
    expect(new Date(now).getDate()).toBe(1);
    expect(getTimeZone()).toBe("Asia/Shanghai");
    const today = todayOf(now);
    expect(today).toBe("2026-12-02");
    // A batch expiring on the 2nd is due today in the depot, not "in 1 day"; one of the 1st is late.
    expect(daysBetween(today, "2026-12-02")).toBe(0);
    expect(daysBetween(today, "2026-12-01")).toBe(-1);
    expect(daysBetween(today, "2026-12-09")).toBe(7);
  });

  it("writes times on the deployment's clock", () => {
    expect(fmtDateTime(now, "en")).toMatch(/Dec 2, 2026.*12:30\sAM/);
    expect(fmtDateTime(now, "en")).not.toMatch(/8:30/);
  });

  it("takes the deployment's zone from the server, and keeps it when the browser does not know one", () => {
    setTimeZone("Europe/Berlin");
    try {
      expect(getTimeZone()).toBe("Europe/Berlin");
      expect(todayOf(now)).toBe("2026-12-01");
      expect(() => setTimeZone("Mars/Olympus")).toThrow(/Mars\/Olympus/);
      expect(getTimeZone()).toBe("Europe/Berlin");
    } finally {
      setTimeZone("Asia/Shanghai");
    }
  });
});
