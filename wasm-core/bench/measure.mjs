// Timing helpers: run each candidate in short rounds, interleaved so that machine
// drift hits all of them alike, and report the median time per operation.

/** Calibrate an iteration count that takes about `targetMs`. */
function calibrate(fn, targetMs) {
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= targetMs / 4) return Math.max(1, Math.round((n * targetMs) / ms));
    n *= 4;
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * candidates: { name: fn } — returns { name: medianMicrosecondsPerOp }.
 * `rounds` interleaved rounds of about `roundMs` each per candidate.
 */
export function compare(candidates, { rounds = 7, roundMs = 60 } = {}) {
  const entries = Object.entries(candidates);
  const counts = new Map(
    entries.map(([name, fn]) => {
      fn(); // warm up the JIT before calibrating
      return [name, calibrate(fn, roundMs)];
    }),
  );
  const samples = new Map(entries.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of entries) {
      const n = counts.get(name);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) fn();
      samples.get(name).push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
    }
  }
  return Object.fromEntries(entries.map(([name]) => [name, median(samples.get(name))]));
}
