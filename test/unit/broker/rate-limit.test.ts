import { describe, expect, it } from "vitest";
import { TokenBuckets } from "../../../broker/rate-limit.ts";

describe("per-device token buckets", () => {
  it("lets a burst through at once, then spaces messages at the rate", () => {
    const buckets = new TokenBuckets(10, 3);
    expect([0, 0, 0].map(() => buckets.take("a", 1000))).toEqual([0, 0, 0]);
    // No token left: the 4th waits 100 ms, the 5th 200 ms (each reserves the next token).
    expect(buckets.take("a", 1000)).toBe(100);
    expect(buckets.take("a", 1000)).toBe(200);
    // 200 ms later both reserved tokens have come in; the next one waits its own 100 ms.
    expect(buckets.take("a", 1200)).toBe(100);
  });

  it("refills at the rate up to the burst, and keeps devices apart", () => {
    const buckets = new TokenBuckets(10, 3);
    for (let i = 0; i < 3; i += 1) buckets.take("a", 0);
    expect(buckets.take("b", 0)).toBe(0);
    // A long silence saves up no more than the burst.
    const later = 60_000;
    expect([1, 2, 3].map(() => buckets.take("a", later))).toEqual([0, 0, 0]);
    expect(buckets.take("a", later)).toBe(100);
    buckets.forget("a");
    expect(buckets.take("a", later)).toBe(0);
  });

  it("refuses nonsense settings", () => {
    expect(() => new TokenBuckets(0, 1)).toThrow(RangeError);
    expect(() => new TokenBuckets(1, 0)).toThrow(RangeError);
  });
});
