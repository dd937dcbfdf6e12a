// The chaos harness (issue 26.4), shared by test/chaos.e2e.test.ts and `npm run chaos`
// (scripts/chaos.mjs). It owns an anvil (test/chaos/chain.mjs) and attaches the local stack to
// it (scripts/stack.mjs with rpcUrl: devnet and the gateway, as `npm start` runs them), streams
// signed readings from K simulated devices (the sim's SimDevice) and records every one answered
// 202; meanwhile it applies faults to the chain at moments drawn from a seeded PRNG. Afterwards
// it waits (bounded) for the gateway to drain and counts, from the dApp's notices on the node,
// which 202 readings are in an accepted record: lost = in none, duplicated = in more than one.
// `lcore replay --node` then checks the node's outputs and claims against the chain itself, and
// a settlement period must still settle (its voucher executed) after the last fault.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
// @ts-expect-error: the built simulator (the gateway package exports only its main entry)
import { SimDevice } from "../../gateway/dist/sim/device.js";
// @ts-expect-error: a plain ESM script without type declarations
import { DEV_SECRETS, startStack } from "../../scripts/stack.mjs";
import { ChaosChain, freePort, rpc } from "./chain.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** anvil's account 9: the devnet node's key when it attaches (as on its own anvil). */
const NODE_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
/** anvil's account 0: sends the replacement transactions of a reorganisation. */
const ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/** mulberry32: the seeded PRNG every random choice comes from, so a seed replays a run. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starts the chain and the stack attached to it; resolves with the harness. */
export async function startChaos({ stateDir, devices = 4, readingIntervalMs = 500, log = () => {}, stackLog }) {
  mkdirSync(stateDir, { recursive: true });
  const chain = new ChaosChain({ port: await freePort(), statePath: join(stateDir, "anvil-state.json"), log });
  await chain.start();
  const running = await startStack({
    stateDir,
    apiPort: 0,
    rollupPort: 0,
    gatewayPort: 0,
    rpcUrl: chain.url,
    privateKey: NODE_KEY,
    onLog: stackLog ?? (() => {}),
  });
  let stackFailure;
  running.failed.then((e) => {
    if (h.stopping) return;
    stackFailure = e;
    log(`STACK FAILED: ${e.message}`);
  });
  const h = new Harness({ chain, running, log, devices, readingIntervalMs });
  h.stackFailure = () => stackFailure;
  await h.registerDevices();
  return h;
}

class Harness {
  constructor({ chain, running, log, devices, readingIntervalMs }) {
    this.chain = chain;
    this.running = running;
    this.stack = running.stack;
    this.log = log;
    this.deviceCount = devices;
    this.readingIntervalMs = readingIntervalMs;
    /** Every reading answered 202: `${device}:${seq}`. */
    this.accepted202 = new Set();
    this.refused = {};
    this.faults = [];
    this.lastFaultAt = 0;
  }

  async registerDevices() {
    const base = this.stack.gatewayUrl;
    const info = await (await fetch(`${base}/v1/info`)).json();
    this.fleet = Array.from({ length: this.deviceCount }, (_, i) => SimDevice.fromSeed(`chaos-${Date.now()}`, i));
    const headers = { "content-type": "application/json", authorization: `Bearer ${DEV_SECRETS.ownerToken}` };
    for (const d of this.fleet) {
      const res = await fetch(`${base}/v1/devices`, {
        method: "POST",
        headers,
        body: JSON.stringify(d.registration(info, "chaos")),
      });
      if (res.status !== 201) throw new Error(`registering ${d.hex}: ${res.status} ${await res.text()}`);
    }
  }

  /** Each device posts a signed reading every readingIntervalMs, one at a time (seq order), until stopDevices. */
  startDevices() {
    this.streaming = true;
    const loop = async (d, offset) => {
      await sleep(offset);
      while (this.streaming) {
        const t0 = Date.now();
        const reading = d.reading({ value: BigInt(t0 % 100_000), payload: new Uint8Array(8) });
        try {
          const res = await fetch(`${this.stack.gatewayUrl}/v1/readings`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(reading),
            signal: AbortSignal.timeout(15_000),
          });
          if (res.status === 202) this.accepted202.add(`${reading.device.toLowerCase()}:${reading.seq}`);
          else {
            const code = (await res.json().catch(() => ({}))).code ?? `HTTP_${res.status}`;
            this.refused[code] = (this.refused[code] ?? 0) + 1;
          }
        } catch (e) {
          this.refused[e.name] = (this.refused[e.name] ?? 0) + 1;
        }
        await sleep(Math.max(0, this.readingIntervalMs - (Date.now() - t0)));
      }
    };
    this.loops = this.fleet.map((d, i) => loop(d, (i * this.readingIntervalMs) / this.fleet.length));
  }

  async stopDevices() {
    this.streaming = false;
    await Promise.all(this.loops ?? []);
  }

  /** Applies one fault (FAULTS below) and records it; a fault the chain refuses is recorded as such. */
  async fault(kind, rand = Math.random) {
    const started = Date.now();
    let detail = "";
    try {
      detail = (await FAULTS[kind](this, rand)) ?? "";
    } catch (e) {
      detail = `FAILED: ${e.message}`;
    }
    this.lastFaultAt = Date.now();
    const entry = { kind, at: new Date(started).toISOString(), ms: this.lastFaultAt - started, detail };
    this.faults.push(entry);
    this.log(`fault ${kind} ${detail} (${entry.ms} ms)`);
    return entry;
  }

  async stop() {
    this.stopping = true;
    this.streaming = false;
    await this.running.stop();
    await this.chain.stop();
  }
}

/** A reorganisation of `depth` blocks; with `txs`, the new blocks carry transfers from account 0. */
async function reorg(h, depth, txs) {
  const pairs = txs
    ? Array.from({ length: Math.min(depth, 3) }, (_, i) => [{ from: ACCOUNT_0, to: ACCOUNT_0, value: "0x1" }, i])
    : [];
  const before = await h.chain.head();
  await rpc(h.chain.url, "anvil_reorg", [depth, pairs]);
  return `at block ${before.number}${txs ? ` with ${pairs.length} replacement txs` : ""}`;
}

/**
 * The faults. `outage`: kill -9, down 3-8 s, restart from the saved state (losing up to its last
 * second) with the clock kept monotonic as devnet does. `clockBack`: the clock is moved forward
 * 20 minutes (evm_increaseTime, as the walkthrough's step 5 does), blocks are mined at that time,
 * then the chain is killed and restarted from its saved state at wall time: its clock goes back
 * ~20 minutes (anvil refuses evm_setNextBlockTimestamp below the last block's, so a restart is
 * how a chain's clock goes back).
 */
export const FAULTS = {
  reorg1: (h) => reorg(h, 1, false),
  reorg3: (h) => reorg(h, 3, false),
  reorg10: (h) => reorg(h, 10, false),
  reorg3tx: (h) => reorg(h, 3, true),
  reorg10tx: (h) => reorg(h, 10, true),
  rollback3: async (h) => {
    const before = await h.chain.head();
    await rpc(h.chain.url, "anvil_rollback", [3]);
    return `at block ${before.number}`;
  },
  outage: async (h, rand) => {
    const downMs = 3000 + Math.floor(rand() * 5000);
    const before = await h.chain.head();
    await h.chain.kill();
    await sleep(downMs);
    const nowS = Math.floor(Date.now() / 1000);
    await h.chain.start(before.timestamp >= nowS ? before.timestamp + 1 : undefined);
    await sleep(1500); // a block at the restarted chain's clock
    const after = await h.chain.head();
    return `down ${downMs} ms, head ${before.number} -> ${after.number}`;
  },
  clockBack: async (h) => {
    await rpc(h.chain.url, "evm_increaseTime", [1200]);
    await rpc(h.chain.url, "evm_mine", []);
    await sleep(2500); // a state dump (every second) holds the moved clock
    const before = await h.chain.head();
    h.maxTimestamp = Math.max(h.maxTimestamp ?? 0, before.timestamp);
    await h.chain.kill();
    await h.chain.start();
    await sleep(1500); // a block at the restarted chain's clock
    const after = await h.chain.head();
    return `head ${before.number}@${before.timestamp} -> ${after.number}@${after.timestamp}`;
  },
};

/** Applies `faults` (kind names) in a seeded random order at seeded random moments over durationMs. */
export async function runFaults(h, { seed, faults, durationMs, minGapMs = 3000 }) {
  const rand = prng(seed);
  const order = [...faults].sort(() => rand() - 0.5);
  const slot = durationMs / order.length;
  const t0 = Date.now();
  for (let i = 0; i < order.length; i++) {
    const at = t0 + i * slot + minGapMs + rand() * Math.max(0, slot - 2 * minGapMs);
    await sleep(Math.max(0, at - Date.now()));
    await h.fault(order[i], rand);
  }
  await sleep(Math.max(0, t0 + durationMs - Date.now()));
}
