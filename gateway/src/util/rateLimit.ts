// Token buckets by key: one per device for readings, one shared bucket for MVP registrations
// or proof-tree builds. A key may take `burst` tokens at once and `rate` per second after
// that. Keys are registered devices or fixed names, so unauthenticated requests cannot grow the map.

export interface RateLimiter {
  /** Takes `count` tokens if available; else returns the seconds to wait before retrying. */
  take(device: string, count: number, nowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function createRateLimiter(ratePerSecond: number, burst: number): RateLimiter {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return {
    take(device, count, nowMs) {
      let bucket = buckets.get(device);
      if (bucket === undefined) {
        bucket = { tokens: burst, atMs: nowMs };
        buckets.set(device, bucket);
      } else {
        const elapsed = Math.max(0, nowMs - bucket.atMs) / 1000;
        bucket.tokens = Math.min(burst, bucket.tokens + elapsed * ratePerSecond);
        bucket.atMs = nowMs;
      }
      if (bucket.tokens >= count) {
        bucket.tokens -= count;
        return { ok: true };
      }
      // A request larger than the whole bucket can never pass; tell the client the time
      // a full bucket takes, which is the most it could ever need to wait.
      const missing = Math.min(count, burst) - bucket.tokens;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / ratePerSecond)) };
    },
  };
}
