/**
 * Token buckets, one per key (device): `ratePerS` tokens a second, at most `burst` saved up. A
 * message that finds no token is not refused but delayed until its token is due, so a device
 * sending too fast is slowed down (its PUBACKs come later) and loses nothing. Pure: time is passed in.
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
  ) {
    if (!(ratePerS > 0) || !(burst >= 1)) throw new RangeError("rate must be above 0 and burst at least 1");
  }

  /** Takes a token for `key`; returns how many ms to wait before the message may go (0: now). */
  take(key: string, now: number): number {
    const bucket = this.#buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.ratePerS) / 1000);
    bucket.at = now;
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens * 1000) / this.ratePerS);
  }

  forget(key: string): void {
    this.#buckets.delete(key);
  }
}
