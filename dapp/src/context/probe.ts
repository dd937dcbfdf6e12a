// Where the time goes, for the benchmark only. A probe is handed in from outside
// (LCORE_DAPP_PROBE_FILE, see main.ts); handlers call `lap` and never read the clock,
// and nothing measured here reaches the state or any output.

export type Phase = "decode" | "verify" | "sql" | "hash" | "other";
export const PHASES: readonly Phase[] = ["decode", "verify", "sql", "hash", "other"];

export interface Probe {
  /** Start timing a request. */
  start(): void;
  /** Charge the time since the last lap (or start) to `phase`. */
  lap(phase: Phase): void;
  /** Count records handled, to divide by. */
  records(n: number): void;
}

export interface ProbeTotals {
  records: number;
  nanoseconds: Record<Phase, string>;
  /** CPU time of the whole dApp process (user + system) since the probe started, µs: unlike the laps, it does not count time other processes took from it. */
  cpuMicroseconds: number;
}

/** A probe on the monotonic clock, in integer nanoseconds. */
export function createClockProbe(): Probe & { totals(): ProbeTotals } {
  const ns: Record<Phase, bigint> = { decode: 0n, verify: 0n, sql: 0n, hash: 0n, other: 0n };
  let records = 0;
  let last = 0n;
  const now = () => process.hrtime.bigint(); // determinism-ok: benchmark timing, never reaches state or outputs
  const cpu0 = process.cpuUsage(); // determinism-ok: benchmark timing, never reaches state or outputs
  return {
    start() {
      last = now();
    },
    lap(phase) {
      const t = now();
      ns[phase] += t - last;
      last = t;
    },
    records(n) {
      records += n;
    },
    totals() {
      return {
        records,
        nanoseconds: {
          decode: ns.decode.toString(),
          verify: ns.verify.toString(),
          sql: ns.sql.toString(),
          hash: ns.hash.toString(),
          other: ns.other.toString(),
        },
        // determinism-ok: benchmark timing, never reaches state or outputs
        cpuMicroseconds: ((c) => c.user + c.system)(process.cpuUsage(cpu0)),
      };
    },
  };
}
