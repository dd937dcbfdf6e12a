// `npm run bench -w gateway` (after run.mjs): end-to-end records/s of a fleet with 1 and with 2
// shards, in one run: a devnet running N applications of the lcore dApp (one machine each), a
// fleet gateway in front of them, and signed readings of many devices posted in waves, faster
// than the fleet takes them, so the whole pipeline runs saturated: verification and sealing,
// batching, InputBox transactions, the node reading them at `finalized`, the dApp, and the
// gateway following the node (each shard's follower sees its records_accepted notices).
// Readings are signed before the clock starts, and every machine is warmed up first (below).
// The gateway runs with its default polling (chain 250 ms, follower 500 ms).
//
// Throughput is the steady rate: readings accepted while every shard is busy (from the last
// shard's first accepted batch to the first shard's last reading), over that time. The waves are
// all posted within the first 2 s, about when the first batch is accepted, so the window holds
// the pipeline draining its backlog, the readings' ingest (signature check, sealing, outbox) done
// before it: under a sustained load ingest would share the window's CPU too (docs/FLEET.md gives
// the bound either way). The time before the first accepted batch is latency (a block, finality
// at `finalized`, the node's and follower's polls), printed apart as `fleet.latency_s.N`, and
// the wall-clock rate over the whole run beside it; so is the CPU per record of each part, over
// the whole run and within the window.
//
// The machine: by default each dApp runs in a riscv64 VM (`--machine riscv64-vm`, Debian's
// kernel and Node under qemu-system, fetched into ~/.cache/lcore on first use) with ONE hart
// (LCORE_VM_CPUS=1), because that is what a Cartesi machine is: a whole riscv64 Linux advancing
// on one hart, several times slower than the host (the dApp's bench prints the VM's rate beside
// the host's). There the machine is a shard's ceiling, which is what shards lift; a VM with two
// harts would let one machine use both of this host's cores, which no Cartesi machine can.
// With the dApp on the host (BENCH_FLEET_MACHINE=host) or on riscv64 Node under qemu-user
// (riscv64) the gateway, anvil and the node are the ceiling on 2 cores and a second shard adds
// little (docs/FLEET.md has both). Knobs: BENCH_FLEET_MACHINE (riscv64-vm, riscv64, host),
// BENCH_FLEET_DEVICES (default 60), BENCH_FLEET_READINGS_PER_DEVICE (100), BENCH_FLEET_WAVES (10),
// BENCH_FLEET_WAVE_MS (200), BENCH_FLEET_BATCH_DELAY_MS (the batcher's maxDelayMs, 100),
// BENCH_FLEET_WARMUP_PER_SHARD (records, 6000), BENCH_FLEET_RUNS (5), BENCH_FLEET_SHARDS ("1,2"),
// BENCH_FLEET_PROFILE_DIR (a CPU profile of the gateway and node per run), LCORE_VM_CPUS (1 here).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterDeployLcore } from "@lcore/contracts";
import { ANVIL_MNEMONIC, commandOnMachine, parseMachine, startDevnet } from "@lcore/devnet";
import { mnemonicToAccount } from "viem/accounts";
import {
  JsonRpcNodeReader,
  Secret,
  SimDevice,
  acceptedCount,
  buildFleetApp,
  shardForNewDevice,
} from "../dist/index.js";

const DAPP_MAIN = fileURLToPath(new URL("../../dapp/dist/main.js", import.meta.url));
/** riscv64 Node runs the self-contained bundle (its native addon is x86 only). */
const DAPP_BUNDLE = fileURLToPath(new URL("../../dapp/dist-bundle/dapp.mjs", import.meta.url));
const DEVICES = Number(process.env.BENCH_FLEET_DEVICES ?? 60);
const PER_DEVICE = Number(process.env.BENCH_FLEET_READINGS_PER_DEVICE ?? 100);
const WAVES = Number(process.env.BENCH_FLEET_WAVES ?? 10);
const WAVE_MS = Number(process.env.BENCH_FLEET_WAVE_MS ?? 200);
const WARMUP_PER_SHARD = Number(process.env.BENCH_FLEET_WARMUP_PER_SHARD ?? 6000);
const RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 5);
const MACHINE = parseMachine(process.env.BENCH_FLEET_MACHINE || "riscv64-vm");
// One hart per machine, as a Cartesi machine has (the VM launcher reads it; the dApps inherit it).
process.env.LCORE_VM_CPUS ||= "1";
const TOKEN = "bench-fleet-owner-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };

const key = (n) =>
  `0x${Buffer.from(mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: n }).getHdKey().privateKey).toString("hex")}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Readings each shard's dApp accepted: what /v1/fleet reports as readingsAccepted, read shard by
 * shard, not through the whole fleet snapshot (health reports and all), because the bench asks
 * every 50 ms in the process it measures.
 */
const acceptedCounts = (fleet) => Promise.all(fleet.fleet.shards.map((shard) => acceptedCount(shard.gateway)));

/**
 * Poll every shard until shard i has accepted `targets[i]` readings. Returns, per shard, when its
 * count first passed `from[i]` (its first accepted batch) and when it reached its target, and
 * the samples at those moments (the time, every shard's count, the CPU seconds then).
 */
async function followShards(fleet, from, targets, what) {
  const until = Date.now() + 600_000;
  const first = [];
  const last = [];
  const events = [];
  for (;;) {
    const counts = await acceptedCounts(fleet);
    const at = performance.now();
    let event = false;
    counts.forEach((n, i) => {
      if (first[i] === undefined && n > from[i]) {
        first[i] = at;
        event = true;
      }
      if (last[i] === undefined && n >= targets[i]) {
        last[i] = at;
        event = true;
      }
    });
    if (event) events.push({ at, counts, cpu: cpuSeconds() });
    if (counts.every((n, i) => n >= targets[i])) return { first, last, events };
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * CPU seconds so far of this process (the gateway and the devnet's node), of anvil, and of the
 * machines (every other descendant: the dApps, their qemu), from /proc (Linux; zeros elsewhere).
 */
function cpuSeconds() {
  const out = { node: 0, anvil: 0, machines: 0 };
  if (!existsSync("/proc/self/stat")) return out;
  const procs = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const f = stat.slice(close + 2).split(" ");
      procs.set(Number(pid), { comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {} // gone meanwhile
  }
  const mine = (pid) => {
    for (let p = pid; p > 1; p = procs.get(p)?.ppid ?? 0) if (p === process.pid) return true;
    return false;
  };
  for (const [pid, p] of procs) {
    if (!mine(pid)) continue;
    const key = pid === process.pid ? "node" : p.comm.startsWith("anvil") ? "anvil" : "machines";
    out[key] += p.ticks / 100; // USER_HZ
  }
  return out;
}

/**
 * With BENCH_FLEET_PROFILE_DIR set, a CPU profile of this process (the gateway and the node) over
 * the measured window only, written there as fleet-<shards>.cpuprofile (open it in Chrome's DevTools).
 */
async function startProfiler() {
  const dir = process.env.BENCH_FLEET_PROFILE_DIR;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop(name) {
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, name), JSON.stringify(profile));
    },
  };
}

/** `perDevice` readings of every device, signed now, cut into WAVES waves of one request per device. */
function signWaves(devices, perDevice) {
  const perWave = Math.ceil(perDevice / WAVES);
  return Array.from({ length: WAVES }, (_, w) =>
    devices.map((d) =>
      Array.from({ length: Math.max(0, Math.min(perWave, perDevice - w * perWave)) }, () =>
        d.reading({ value: BigInt(w) }),
      ),
    ),
  ).filter((wave) => wave[0].length > 0);
}

/** Post the waves WAVE_MS apart from `started`; resolves when the last is posted, with the time then. */
async function postWaves(fleet, waves, started) {
  for (const [w, wave] of waves.entries()) {
    await post(fleet, wave);
    const next = started + (w + 1) * WAVE_MS;
    if (performance.now() < next) await sleep(next - performance.now());
  }
  return performance.now();
}

/** Inputs the node has processed, per application (cartesi_getProcessedInputCount, as the follower asks it). */
const processedInputCounts = (devnet) =>
  Promise.all(
    devnet.applications.map((app) => new JsonRpcNodeReader(devnet.jsonRpcUrl, app.application).processedInputCount()),
  );

/** Post every device's readings, one batch request per device, all at once. */
async function post(fleet, batches) {
  const answers = await Promise.all(
    batches.map((readings) => fleet.inject({ method: "POST", url: "/v1/readings/batch", payload: { readings } })),
  );
  const refused = answers.filter((a) => a.statusCode !== 202);
  if (refused.length > 0) throw new Error(`${refused.length} batches refused: ${refused[0].body}`);
}

async function run(shards) {
  const dir = mkdtempSync(join(tmpdir(), `lcore-bench-fleet-${shards}-`));
  const devnet = await startDevnet({
    stateDir: join(dir, "devnet"),
    port: 0,
    rollupHttpPort: 0,
    anvilPort: 0,
    epochLength: 10,
    blockTime: 0.5,
    applications: shards,
    dapp: await commandOnMachine(MACHINE, MACHINE === "host" ? [process.execPath, DAPP_MAIN] : ["node", DAPP_BUNDLE]),
    log: () => {},
    afterDeploy: afterDeployLcore,
  });
  const ownerKey = new Uint8Array(32).fill(7);
  const fleet = await buildFleetApp({
    shards: devnet.applications.map((app, i) => ({
      outboxPath: join(dir, `shard-${i}.db`),
      ownerKey: new Secret(ownerKey),
      ownerToken: new Secret(TOKEN),
      submitterKey: new Secret(key(1 + i)),
      app: app.application,
      chainId: BigInt(devnet.deployment.chainId),
      chain: { rpcUrl: devnet.chainRpcUrl, inputBox: devnet.inputBox },
      batcher: { maxDelayMs: Number(process.env.BENCH_FLEET_BATCH_DELAY_MS ?? 100) },
      follower: { kind: "jsonrpc", url: devnet.jsonRpcUrl },
    })),
    claimPollMs: 60_000,
  });
  try {
    await fleet.ready();
    const devices = Array.from({ length: DEVICES }, (_, k) => SimDevice.fromSeed("bench-fleet", k));
    for (const device of devices) {
      const info = (await fleet.inject({ method: "GET", url: `/v1/info?device=${device.hex}` })).json();
      const res = await fleet.inject({
        method: "POST",
        url: "/v1/devices",
        headers: auth,
        payload: device.registration(info),
      });
      if (res.statusCode !== 201) throw new Error(`registration: ${res.statusCode} ${res.body}`);
    }
    // Warm-up: every machine first takes WARMUP_PER_SHARD records, untimed. A machine's Node
    // compiles its hot code on its only hart for the first few thousand records (in the VM the
    // rate climbs from ~350 to ~750 records/s over the first 3,500), a cost paid once per machine
    // boot; without it the two-shard run, where each machine sees half the records, would
    // measure mostly warm-up.
    const perShard = Array.from(
      { length: shards },
      (_, s) => devices.filter((d) => shardForNewDevice(d.address, shards) === s).length,
    );
    const warmupPerDevice = Math.ceil((WARMUP_PER_SHARD * shards) / DEVICES);
    const warmup = signWaves(devices, warmupPerDevice);
    await postWaves(fleet, warmup, performance.now());
    const before = perShard.map((n) => n * warmupPerDevice);
    await followShards(
      fleet,
      before.map(() => 0),
      before,
      "the warm-up readings",
    );
    // The measured load: WAVES waves, each one request per device, signed now (before the clock).
    const waves = signWaves(devices, PER_DEVICE);
    const total = DEVICES * PER_DEVICE;
    const inputsBefore = await processedInputCounts(devnet);
    const cpu0 = cpuSeconds();
    const profiler = await startProfiler();
    const started = performance.now();
    const posting = postWaves(fleet, waves, started);
    const targets = perShard.map((n, i) => before[i] + n * PER_DEVICE);
    const followed = await followShards(fleet, before, targets, "every reading accepted");
    const posted = await posting;
    const cpu1 = cpuSeconds();
    await profiler?.stop(`fleet-${shards}.cpuprofile`);
    const inputsAfter = await processedInputCounts(devnet);
    const inputs = inputsAfter.map((n, i) => n - inputsBefore[i]);
    const perRecordMs = (from, to, records) =>
      Object.fromEntries(Object.keys(to).map((k) => [k, ((to[k] - from[k]) * 1000) / records]));
    const cpuPerRecordMs = perRecordMs(cpu0, cpu1, total);
    // The steady window: while every shard is busy, from the last shard's first accepted batch to
    // the first shard's last reading. A fleet in service keeps every shard loaded; in a run of a
    // few inputs per shard one shard may finish a second early and the other then runs alone, a
    // tail no loaded fleet has.
    const open = followed.events.find((e) => e.at === Math.max(...followed.first));
    const close = followed.events.find((e) => e.at === Math.min(...followed.last));
    if (close.at <= open.at)
      throw new Error("the shards were never all busy at once: raise BENCH_FLEET_READINGS_PER_DEVICE");
    const windowRecords = close.counts.reduce((sum, n, i) => sum + n - open.counts[i], 0);
    const steadySeconds = (close.at - open.at) / 1000;
    // What the rate is made of, in the window.
    const windowCpuPerRecordMs = perRecordMs(open.cpu, close.cpu, windowRecords);
    const end = Math.max(...followed.last);
    return {
      shards,
      total,
      seconds: (end - started) / 1000,
      postSeconds: (posted - started) / 1000,
      latencySeconds: (Math.min(...followed.first) - started) / 1000,
      windowSeconds: steadySeconds,
      perShard,
      recordsPerSecond: windowRecords / steadySeconds,
      shardRecordsPerSecond: close.counts.map((n, i) => (n - open.counts[i]) / steadySeconds),
      wallRecordsPerSecond: total / ((end - started) / 1000),
      cpuPerRecordMs,
      windowCpuPerRecordMs,
      inputs,
    };
  } finally {
    await fleet.close();
    await devnet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// One run per process (`fleet.mjs --run N` prints its result as JSON): each run starts with a
// fresh gateway heap, and nothing of one run's devnet can reach the next.
const runFlag = process.argv.indexOf("--run");
if (runFlag !== -1) {
  const r = await run(Number(process.argv[runFlag + 1]));
  process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
  process.exit(0);
}

function runInChild(shards) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--run", String(shards)], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (child.status !== 0 || line === undefined)
    throw new Error(`the ${shards}-shard run failed (exit ${child.status})`);
  return JSON.parse(line.slice("RESULT ".length));
}

// riscv64 runs the dApp's self-contained bundle: made afresh (half a second), so a bundle left
// from older sources is never what gets measured.
if (MACHINE !== "host") {
  const bundled = spawnSync(process.execPath, ["dapp/scripts/bundle.mjs"], {
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (bundled.status !== 0) throw new Error("bundling the dApp failed");
}

console.log(
  `fleet: machine ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}, dApp on ${MACHINE}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  `  ${DEVICES} devices × ${PER_DEVICE} readings in ${WAVES} waves ${WAVE_MS} ms apart; ` +
    `rate: while every shard is busy (last shard's first accepted batch → first shard's last reading); latency: first reading posted → first batch accepted` +
    (MACHINE === "riscv64-vm" ? `; ${process.env.LCORE_VM_CPUS} hart(s) per machine` : ""),
);
// The runs alternate 1, 2, 1, 2, … shards, RUNS times, and the figures are the medians: a
// machine's rate varies by up to a quarter between runs here, more than the difference the
// ratio is after.
const SHARD_COUNTS = (process.env.BENCH_FLEET_SHARDS ?? "1,2").split(",").map(Number);
const results = new Map(SHARD_COUNTS.map((n) => [n, []]));
for (let k = 0; k < RUNS; k++) {
  for (const shards of SHARD_COUNTS) {
    const r = runInChild(shards);
    results.get(shards).push(r);
    const c = r.cpuPerRecordMs;
    console.log(
      `  ${shards} shard(s), run ${k + 1}/${RUNS}: ${r.total} records in ${r.seconds.toFixed(2)} s (posting took ${r.postSeconds.toFixed(2)} s, ` +
        `first batch accepted after ${r.latencySeconds.toFixed(2)} s), ${r.recordsPerSecond.toFixed(0)} records/s steady over ${r.windowSeconds.toFixed(2)} s ` +
        (shards > 1 ? `(by shard ${r.shardRecordsPerSecond.map((x) => x.toFixed(0)).join(" + ")}) ` : "") +
        `(${r.wallRecordsPerSecond.toFixed(0)} over the whole run); devices per shard ${r.perShard.join("/")}, inputs in the run ${r.inputs.join("/")} (${(r.total / r.inputs.reduce((a, b) => a + b, 0)).toFixed(0)} records each); load average ${loadavg()[0].toFixed(2)}`,
    );
    const w = r.windowCpuPerRecordMs;
    console.log(
      `    CPU per record, whole run: machines ${c.machines.toFixed(2)} ms, gateway and node ${c.node.toFixed(2)} ms, anvil ${c.anvil.toFixed(2)} ms; ` +
        `steady window: ${w.machines.toFixed(2)}, ${w.node.toFixed(2)}, ${w.anvil.toFixed(2)} ms`,
    );
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const figure = (shards, key) => median(results.get(shards).map((r) => r[key]));
if (!results.has(1) || !results.has(2)) process.exit(0);
const one = figure(1, "recordsPerSecond");
const two = figure(2, "recordsPerSecond");
const pairs = results.get(2).map((r, k) => r.recordsPerSecond / results.get(1)[k].recordsPerSecond);
console.log(
  `  ratio of each run's pair: ${pairs.map((x) => x.toFixed(2)).join(", ")} (median ${median(pairs).toFixed(2)}); ` +
    `figures below are medians of ${RUNS} run(s)`,
);
console.log(`BENCH fleet.records_per_s.1 ${one.toFixed(1)} records/s`);
console.log(`BENCH fleet.records_per_s.2 ${two.toFixed(1)} records/s`);
console.log(`BENCH fleet.shards2_over_1 ${(two / one).toFixed(3)} x`);
console.log(`BENCH fleet.wall_records_per_s.1 ${figure(1, "wallRecordsPerSecond").toFixed(1)} records/s`);
console.log(`BENCH fleet.wall_records_per_s.2 ${figure(2, "wallRecordsPerSecond").toFixed(1)} records/s`);
console.log(`BENCH fleet.latency_s.1 ${figure(1, "latencySeconds").toFixed(2)} s`);
console.log(`BENCH fleet.latency_s.2 ${figure(2, "latencySeconds").toFixed(2)} s`);
