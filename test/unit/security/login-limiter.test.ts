import { describe, expect, it } from "vitest";
import { LoginLimiter } from "../../../server/security/login-limiter.ts";

describe("login limiter", () => {
  it("blocks a key after five failures within the window, until the oldest leaves it", () => {
    const limiter = new LoginLimiter(5, 15 * 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 4; i++) limiter.fail(["user:a", "ip:1"], t0 + i * 1000);
    expect(limiter.retryAfterMs(["user:a"], t0 + 5000)).toBe(0);
    limiter.fail(["user:a", "ip:1"], t0 + 4000);
    expect(limiter.retryAfterMs(["user:a"], t0 + 5000)).toBe(15 * 60_000 - 5000);
    expect(limiter.retryAfterMs(["user:b", "ip:1"], t0 + 5000)).toBeGreaterThan(0);
    expect(limiter.retryAfterMs(["user:b", "ip:2"], t0 + 5000)).toBe(0);
    expect(limiter.retryAfterMs(["user:a"], t0 + 15 * 60_000 + 1)).toBe(0);
  });

  it("a success clears the user's count but not the address's", () => {
    const limiter = new LoginLimiter(2, 60_000);
    limiter.fail(["user:a", "ip:1"], 0);
    limiter.fail(["user:a", "ip:1"], 1);
    limiter.succeed("user:a");
    expect(limiter.retryAfterMs(["user:a"], 2)).toBe(0);
    expect(limiter.retryAfterMs(["ip:1"], 2)).toBeGreaterThan(0);
  });
});
