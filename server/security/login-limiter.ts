/**
 * Failed logins counted per key (a username, an IP) in a sliding window: after `maxFailures`
 * failures within `windowMs` the key is blocked until the oldest of them leaves the window.
 * In memory: a restart forgets, which is acceptable for a single-process platform.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly maxFailures = 5,
    readonly windowMs = 15 * 60_000,
  ) {}

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  /** Milliseconds until one of the keys may try again; 0 when none is blocked. */
  retryAfterMs(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const times = this.#recent(key, now);
      if (times.length >= this.maxFailures) {
        wait = Math.max(wait, (times[times.length - this.maxFailures] as number) + this.windowMs - now);
      }
    }
    return wait;
  }

  fail(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      const times = this.#recent(key, now);
      times.push(now);
      this.#failures.set(key, times);
    }
    if (this.#failures.size > 100_000) this.#prune(now);
  }

  /** A successful login clears the username's count (not the IP's). */
  succeed(key: string): void {
    this.#failures.delete(key);
  }

  #prune(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
  }
}
