// The simulation behind `lcore-sim`: register a fleet of devices derived from a seed,
// stream signed readings at a steady total rate, then (optionally) follow every receipt
// until the dApp accepted or rejected it. Returns what was sent and what came of it,
// so the e2e test can check each reading, and the CLI prints a summary.

import { SimDevice, type GatewayInfo, type SignedReading } from "./device.js";
import { percentile } from "./stats.js";

export interface SimOptions {
  gateway: string;
  /** Owner token: registering devices needs it. */
  token: string;
  devices: number;
  /** Readings per second, all devices together. */
  rate: number;
  durationS: number;
  seed: string;
  /** Wait for each receipt's final status (accepted/rejected by the dApp), at most this long. 0: do not follow. */
  followS: number;
  /** Bytes of random payload per reading. */
  payloadBytes?: number;
  /** Called about every 200 ms with the progress so far. */
  onProgress?: (p: SimProgress) => void;
  /** Aborting stops sending (and following) and resolves with the summary of what was sent. */
  signal?: AbortSignal;
}

export interface SimProgress {
  elapsedS: number;
  durationS: number;
  sent: number;
  accepted: number;
  rejected: number;
  phase: "registering" | "streaming" | "following" | "done";
  followed?: number;
}

export interface SentReading {
  reading: SignedReading;
  /** The body that was signed (for checking the owner's plaintext later). */
  value: bigint;
  payload: Uint8Array;
  status: number;
  code?: string;
  latencyMs: number;
  /** The dApp's verdict when followed. */
  final?: { status: string; reason?: string };
}

export interface SimSummary {
  devices: string[];
  sent: number;
  /** 202 from the gateway. */
  accepted: number;
  rejected: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
  /** After following: how many the dApp accepted, and rejections by reason (including "timeout"). */
  onChain?: { accepted: number; rejected: Record<string, number> };
  readings: SentReading[];
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

/** setTimeout as a promise that an abort ends early. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** What every step of one run shares. */
interface Run {
  o: SimOptions;
  base: string;
  headers: Record<string, string>;
  owner: Record<string, string>;
  progress: SimProgress;
  /** A function, not a narrowed property read: the signal changes while we await. */
  stopped: () => boolean;
}

export async function simulate(o: SimOptions): Promise<SimSummary> {
  const started = Date.now();
  const headers = { "content-type": "application/json" };
  const run: Run = {
    o,
    base: o.gateway.replace(/\/$/, ""),
    headers,
    owner: { ...headers, authorization: `Bearer ${o.token}` },
    progress: { elapsedS: 0, durationS: o.durationS, sent: 0, accepted: 0, rejected: 0, phase: "registering" },
    stopped: () => o.signal?.aborted === true,
  };
  const { progress } = run;
  const tick = setInterval(() => {
    progress.elapsedS = (Date.now() - started) / 1000;
    o.onProgress?.(progress);
  }, 200);

  try {
    const fleet = await registerFleet(run);
    progress.phase = "streaming";
    const readings = await stream(run, fleet);
    const summary = summarize(fleet, readings);
    if (o.followS > 0 && !run.stopped()) summary.onChain = await follow(run, readings);
    progress.phase = "done";
    return summary;
  } finally {
    clearInterval(tick);
    progress.elapsedS = (Date.now() - started) / 1000;
    o.onProgress?.(progress);
  }
}

/** Registers the seed's devices; a device an earlier run registered continues after its last seq. */
async function registerFleet({ o, base, owner }: Run): Promise<SimDevice[]> {
  const infoRes = await call(`${base}/v1/info`);
  if (infoRes.status !== 200) throw new Error(`GET /v1/info answered ${infoRes.status}`);
  const info = infoRes.body as GatewayInfo;

  const fleet = Array.from({ length: o.devices }, (_, i) => SimDevice.fromSeed(o.seed, i));
  for (const d of fleet) {
    // A fleet gateway (its /v1/info lists shards) says per device which shard's digest to sign.
    const own =
      info.shards === undefined ? info : ((await call(`${base}/v1/info?device=${d.hex}`)).body as GatewayInfo);
    const res = await call(`${base}/v1/devices`, {
      method: "POST",
      headers: owner,
      body: JSON.stringify(d.registration(own, "lcore-sim")),
    });
    if (res.status === 409) {
      // Registered by an earlier run with the same seed: continue after its last seq.
      const got = await call(`${base}/v1/devices/${d.hex}`, { headers: owner });
      const last = (got.body as { lastSeq?: string | null }).lastSeq;
      d.seq = last === null || last === undefined ? 0n : BigInt(last);
    } else if (res.status !== 201) {
      throw new Error(`registering ${d.hex}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
  return fleet;
}

/** Sends rate × duration readings at a steady pace, the fleet's devices in turn; resolves once every answer is in. */
async function stream({ o, base, headers, progress, stopped }: Run, fleet: SimDevice[]): Promise<SentReading[]> {
  const readings: SentReading[] = [];
  const total = Math.max(1, Math.round(o.rate * o.durationS));
  const intervalMs = 1000 / o.rate;
  // One chain of requests per device, so each device's readings arrive in seq order.
  const chains = new Map<SimDevice, Promise<void>>();
  const t0 = performance.now();
  for (let i = 0; i < total && !stopped(); i++) {
    const wait = t0 + i * intervalMs - performance.now();
    if (wait > 0) await sleep(wait, o.signal);
    if (stopped()) break;
    const d = fleet[i % fleet.length]!;
    const value = BigInt(Math.round(20_000 + 5_000 * Math.sin(i / 10)));
    const payload = new Uint8Array(o.payloadBytes ?? 8).map(() => Math.floor(Math.random() * 256));
    const reading = d.reading({ value, payload });
    const entry: SentReading = { reading, value, payload, status: 0, latencyMs: 0 };
    readings.push(entry);
    const prev = chains.get(d) ?? Promise.resolve();
    chains.set(
      d,
      prev.then(async () => {
        const sentAt = performance.now();
        try {
          const res = await call(`${base}/v1/readings`, { method: "POST", headers, body: JSON.stringify(reading) });
          entry.status = res.status;
          if (res.status !== 202) entry.code = (res.body as { code?: string }).code ?? `HTTP_${res.status}`;
        } catch (error) {
          entry.code = `NETWORK_${(error as Error).name}`;
        }
        entry.latencyMs = performance.now() - sentAt;
        progress.sent++;
        if (entry.status === 202) progress.accepted++;
        else progress.rejected++;
      }),
    );
  }
  await Promise.all(chains.values());
  return readings;
}

/** The gateway's answers: 202s, refusals by code, latency. */
function summarize(fleet: SimDevice[], readings: SentReading[]): SimSummary {
  const summary: SimSummary = {
    devices: fleet.map((d) => d.hex),
    sent: readings.length,
    accepted: readings.filter((r) => r.status === 202).length,
    rejected: {},
    latencyMs: {
      p50: percentile(
        readings.map((r) => r.latencyMs),
        0.5,
      ),
      p99: percentile(
        readings.map((r) => r.latencyMs),
        0.99,
      ),
      max: Math.max(0, ...readings.map((r) => r.latencyMs)),
    },
    readings,
  };
  for (const r of readings)
    if (r.status !== 202) summary.rejected[r.code ?? "?"] = (summary.rejected[r.code ?? "?"] ?? 0) + 1;
  return summary;
}

/** Polls each answered reading until the dApp accepted or rejected it, at most followS; what is left counts as "timeout". */
async function follow(
  { o, base, progress, stopped }: Run,
  readings: SentReading[],
): Promise<NonNullable<SimSummary["onChain"]>> {
  progress.phase = "following";
  progress.followed = 0;
  const until = Date.now() + o.followS * 1000;
  const pending = readings.filter((r) => r.status === 202);
  while (pending.length > 0 && Date.now() < until && !stopped()) {
    for (let i = pending.length - 1; i >= 0; i--) {
      const r = pending[i]!;
      const res = await call(`${base}/v1/readings/${r.reading.device}/${r.reading.seq}`);
      const s = res.body as { status?: string; reason?: string };
      if (s.status === "accepted" || s.status === "rejected") {
        r.final = { status: s.status, ...(s.reason === undefined ? {} : { reason: s.reason }) };
        pending.splice(i, 1);
        progress.followed++;
      }
    }
    if (pending.length > 0) await sleep(250, o.signal);
  }
  const onChain = { accepted: 0, rejected: {} as Record<string, number> };
  for (const r of readings.filter((x) => x.status === 202)) {
    if (r.final?.status === "accepted") onChain.accepted++;
    else {
      const reason = r.final?.reason ?? "timeout";
      onChain.rejected[reason] = (onChain.rejected[reason] ?? 0) + 1;
    }
  }
  return onChain;
}
