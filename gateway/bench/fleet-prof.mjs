// `npm run bench -w gateway` (after run.mjs): end-to-end records/s of a fleet with 1 and with 2
// shards, in one run: a devnet running N applications of the lcore dApp (host mode, one process
// each), a fleet gateway in front of them, and signed readings of many devices posted at once.
// The clock runs from the first reading posted to the last one the dApps accepted (each shard's
// follower saw its records_accepted notice), so the figure covers verification and sealing,
// batching, InputBox transactions, the node reading them at `finalized`, the dApp, and the
// gateway following the node. Readings are signed before the clock starts.
// By default each dApp runs on riscv64 Node under qemu-user, the Cartesi machine's architecture
// (fetched into ~/.cache/lcore on first use, as the dApp's bench does): there the dApp is the
// ceiling a shard has, which is what shards lift. In host mode on 2 cores the dApp is not the
// bottleneck (the gateway, anvil and the node share the same cores), so a second shard adds
// little. Knobs: BENCH_FLEET_MACHINE (riscv64, or host), BENCH_FLEET_DEVICES (default 60),
// BENCH_FLEET_READINGS_PER_DEVICE (50).

import { spawnSync } from "node:child_process";
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
const session = new Session(); session.connect(); await session.post("Profiler.enable");
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterDeployLcore } from "@lcore/contracts";
import { ANVIL_MNEMONIC, commandOnMachine, parseMachine, startDevnet } from "@lcore/devnet";
import { mnemonicToAccount } from "viem/accounts";
import { Secret, SimDevice, buildFleetApp, shardForNewDevice } from "../dist/index.js";

const DAPP_MAIN = fileURLToPath(new URL("../../dapp/dist/main.js", import.meta.url));
/** riscv64 Node runs the self-contained bundle (its native addon is x86 only). */
const DAPP_BUNDLE = fileURLToPath(new URL("../../dapp/dist-bundle/dapp.mjs", import.meta.url));
const DEVICES = Number(process.env.BENCH_FLEET_DEVICES ?? 60);
const PER_DEVICE = Number(process.env.BENCH_FLEET_READINGS_PER_DEVICE ?? 50);
const MACHINE = parseMachine(process.env.BENCH_FLEET_MACHINE || "riscv64");
const TOKEN = "bench-fleet-owner-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };

const key = (n) =>
  `0x${Buffer.from(mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: n }).getHdKey().privateKey).toString("hex")}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function accepted(fleet) {
  return (await fleet.fleet.status.snapshot()).reduce((sum, s) => sum + s.readingsAccepted, 0);
}

async function waitAccepted(fleet, target, what) {
  const until = Date.now() + 600_000;
  while ((await accepted(fleet)) < target) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

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
      chain: { rpcUrl: devnet.chainRpcUrl, inputBox: devnet.inputBox, pollMs: 50 },
      batcher: { maxDelayMs: 100 },
      follower: { kind: "jsonrpc", url: devnet.jsonRpcUrl, pollMs: 100 },
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
    // Warm-up: one reading per device, so every registration is processed before the clock starts.
    await post(
      fleet,
      devices.map((d) => [d.reading({ value: 1n })]),
    );
    await waitAccepted(fleet, DEVICES, "the warm-up readings");
    const batches = devices.map((d) => Array.from({ length: PER_DEVICE }, (_, i) => d.reading({ value: BigInt(i) })));
    const total = DEVICES * PER_DEVICE;
    const perShard = Array.from(
      { length: shards },
      (_, s) => devices.filter((d) => shardForNewDevice(d.address, shards) === s).length,
    );
    await session.post("Profiler.start");
    const started = performance.now();
    await post(fleet, batches);
    const posted = performance.now();
    await waitAccepted(fleet, DEVICES + total, "every reading accepted");
    const seconds = (performance.now() - started) / 1000;
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(`/tmp/prof/window-${shards}.cpuprofile`, JSON.stringify(profile));
    return {
      shards,
      total,
      seconds,
      postSeconds: (posted - started) / 1000,
      perShard,
      recordsPerSecond: total / seconds,
    };
  } finally {
    await fleet.close();
    await devnet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// riscv64 runs the dApp's self-contained bundle: build it if this checkout has none yet.
if (MACHINE !== "host" && !existsSync(DAPP_BUNDLE)) {
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
  `  ${DEVICES} devices × ${PER_DEVICE} readings, posted at once; clock: first reading posted → last accepted by a dApp`,
);
const results = [];
for (const shards of [1, 2]) {
  const r = await run(shards);
  results.push(r);
  console.log(
    `  ${shards} shard(s): ${r.total} records in ${r.seconds.toFixed(2)} s (posting took ${r.postSeconds.toFixed(2)} s), ` +
      `${r.recordsPerSecond.toFixed(0)} records/s; devices per shard ${r.perShard.join("/")}; load average ${loadavg()[0].toFixed(2)}`,
  );
}
const [one, two] = results;
console.log(`BENCH fleet.records_per_s.1 ${one.recordsPerSecond.toFixed(1)} records/s`);
console.log(`BENCH fleet.records_per_s.2 ${two.recordsPerSecond.toFixed(1)} records/s`);
console.log(`BENCH fleet.shards2_over_1 ${(two.recordsPerSecond / one.recordsPerSecond).toFixed(3)} x`);
