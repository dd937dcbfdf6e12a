// What the gateway knows of its own health, for /healthz, /metrics and the log.
//
// Two upstreams: the chain's JSON-RPC (submitter, inclusion watch, ticker, voucher executor)
// and the rollups node (follower, settlement follower). Every call to either reports whether
// it got an answer — a JSON-RPC error is an answer, a refused connection, a timeout or an
// HTTP error status is not — so an outage is seen on the first failed call and its end on
// the first answer. Each change is logged once (warn when an upstream stops answering, info
// when it answers again), never once per retry.
//
// Besides the upstreams, parts of the pipeline say what stopped moving: a background loop
// whose passes keep failing, a settlement voucher that waits for its claim. /healthz turns
// all of it into `ok` or `degraded` with the reasons (systemRoutes.ts, README "Health").

export type UpstreamName = "chain" | "node";

/** A minimal logger (pino's shape), so this file needs no Fastify. */
export interface HealthLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const SILENT: HealthLog = { warn() {}, info() {}, error() {} };

/** The upstream did not answer: the connection failed, timed out, or got an HTTP error status. */
export class UpstreamUnreachableError extends Error {
  override name = "UpstreamUnreachableError";
}

/** Whether `error` means the far side did not answer (as opposed to answering with an error). */
export function isUnreachable(error: unknown): boolean {
  for (let e = error as { name?: string; cause?: unknown } | undefined, depth = 0; e && depth < 6; depth++) {
    // viem: HttpRequestError (network failure or non-2xx status), TimeoutError; fetch: TypeError "fetch failed".
    if (e.name === "HttpRequestError" || e.name === "TimeoutError" || e.name === "UpstreamUnreachableError")
      return true;
    if (e.name === "AbortError" || (e.name === "TypeError" && String((e as Error).message).includes("fetch failed")))
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** First line of an error's message, bounded: what the log and /healthz show. */
export function shortError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

export class Upstream {
  /** False from the first failed call until the next answer. */
  up = true;
  /** When it last came up (the gateway's start, or the end of its last outage). */
  upSinceMs = Date.now();
  lastSuccessMs: number | null = null;
  downSinceMs: number | null = null;
  lastError: string | null = null;
  failures = 0;

  constructor(
    readonly name: UpstreamName,
    readonly label: string,
    private readonly health: Health,
  ) {}

  ok(nowMs = Date.now()): void {
    this.lastSuccessMs = nowMs;
    if (this.up) return;
    const downMs = nowMs - (this.downSinceMs ?? nowMs);
    this.up = true;
    this.upSinceMs = nowMs;
    this.downSinceMs = null;
    this.health.log.info(
      { upstream: this.name, downSeconds: Math.round(downMs / 1000) },
      `${this.label} answers again after ${Math.round(downMs / 1000)} s`,
    );
  }

  fail(error: unknown, nowMs = Date.now()): void {
    this.failures++;
    this.lastError = shortError(error);
    if (!this.up) return;
    this.up = false;
    this.downSinceMs = nowMs;
    this.health.log.warn(
      { upstream: this.name, err: this.lastError },
      `${this.label} does not answer: ${this.lastError}; readings are still taken into the outbox, retrying`,
    );
  }

  /** Reports the outcome of one call to this upstream and passes its result or error on. */
  async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.ok();
      return result;
    } catch (error) {
      if (isUnreachable(error)) this.fail(error);
      else this.ok(); // it answered, with an error
      throw error;
    }
  }
}

/** One background loop's failing streak. */
export interface LoopState {
  failures: number;
  sinceMs: number;
  lastError: string;
  unreachable: boolean;
}

/** A condition a part of the pipeline reports until it clears it (e.g. a voucher waiting for its claim). */
export interface Condition {
  code: string;
  message: string;
  sinceMs: number;
  /** The condition makes the gateway degraded once it has lasted this long. */
  graceMs: number;
}

/** Stages whose progress the stall checks follow: inputs mined, verdicts read, vouchers executed. */
export type Stage = "inclusion" | "verdict" | "settlement";

export class Health {
  log: HealthLog = SILENT;
  readonly chain: Upstream;
  readonly node: Upstream;
  readonly loops = new Map<string, LoopState>();
  readonly startedMs = Date.now();
  readonly #conditions = new Map<string, Condition>();
  readonly #progress = new Map<Stage, number>();

  constructor() {
    this.chain = new Upstream("chain", "the chain's RPC", this);
    this.node = new Upstream("node", "the rollups node", this);
  }

  upstream(name: UpstreamName): Upstream {
    return name === "chain" ? this.chain : this.node;
  }

  loopFailed(name: string, error: unknown, nowMs = Date.now()): LoopState {
    const prev = this.loops.get(name);
    const state: LoopState = {
      failures: (prev?.failures ?? 0) + 1,
      sinceMs: prev?.sinceMs ?? nowMs,
      lastError: shortError(error),
      unreachable: isUnreachable(error),
    };
    this.loops.set(name, state);
    return state;
  }

  /** Clears the loop's streak; returns what it was, if any. */
  loopOk(name: string): LoopState | undefined {
    const prev = this.loops.get(name);
    this.loops.delete(name);
    return prev;
  }

  /** The stage moved: an input was mined, a verdict read, a voucher executed. */
  progressed(stage: Stage, nowMs = Date.now()): void {
    this.#progress.set(stage, nowMs);
  }

  /** When the stage last moved, or when the gateway started. */
  lastProgressMs(stage: Stage): number {
    return this.#progress.get(stage) ?? this.startedMs;
  }

  /** Sets the condition under `key` (its message updated, its first `sinceMs` kept). */
  report(key: string, code: string, message: string, graceMs = 0, sinceMs = Date.now()): void {
    const prev = this.#conditions.get(key);
    this.#conditions.set(key, { code, message, sinceMs: prev?.sinceMs ?? sinceMs, graceMs });
  }

  clear(key: string): void {
    this.#conditions.delete(key);
  }

  conditions(): Condition[] {
    return [...this.#conditions.values()];
  }
}
