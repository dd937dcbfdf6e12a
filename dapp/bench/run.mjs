#!/usr/bin/env node
// `npm run bench -w dapp`: the dApp process driven over the rollup HTTP API (devnet's
// server, host mode) with batches of 100 signed records, on this machine's Node (x86) and then
// the bundle on Debian's riscv64 Node under qemu-riscv64-static (runtime fetched or reused from
// ~/.cache/lcore). Prints records/s end to end and µs/record split into decode, signature
// verification, SQL and hashing (the dApp's probe, LCORE_DAPP_PROBE_FILE), the rest being the
// HTTP round trips and JSON; then the riscv64/x86 ratio and the riscv64 process's peak RSS
// (VmHWM: Node plus qemu's translation buffers) after 100,000 records.
// BATCHES=<n> (default 60) sets the length of the x86 run and of the timed riscv64 run;
// RISCV64_RECORDS=<n> (default 100000) the records sent to riscv64 for the peak RSS figure;
// RISCV64=0 skips riscv64. Last lines: `BENCH dapp.records_per_s`, `BENCH dapp.riscv64.records_per_s`,
// `BENCH dapp.riscv64_over_x86.slowdown`, `BENCH dapp.riscv64.peak_rss_mib.100k`.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import * as tiny from "tiny-secp256k1";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import { deviceAddress, readingDigest, registrationProofDigest } from "@lcore/protocol/deviceMessage";
import { decodeNotice } from "@lcore/protocol/notices";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import { decodeOutput, fetchRiscv64Runtime, riscv64NodeCommand, spawnDapp, startRollupHttpServer } from "@lcore/devnet";

const BATCH = 100;
const BATCHES = Number(process.env.BATCHES ?? 60);
const RISCV64_RECORDS = Number(process.env.RISCV64_RECORDS ?? 100_000);
const WARMUP = 5;
const DEVICES = 10;
const PAYLOAD = 16; // reading payload bytes: sealed = 26 + 16 + 32 = 74, record = 208 bytes
const APP = "0xab7528bb862fb57e8a2bcd567a2e929a0be56a5e";
const OWNER = "0x00000000000000000000000000000000000000a1";
const GATEWAY = "0x00000000000000000000000000000000000000c3";
const T0 = 1_763_000_000;
const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const BUNDLE = fileURLToPath(new URL("../dist-bundle/dapp.mjs", import.meta.url));
/** Batches sent at once: the rollup server queues them; bounded so 100k records do not sit in memory as promises at once. */
const WINDOW = 50;

const sha = (s) => new Uint8Array(createHash("sha256").update(s).digest());
const metadata = (state, sender) => ({
  chain_id: 31337,
  app_contract: APP,
  msg_sender: sender,
  block_number: 100 + state.inputIndex,
  block_timestamp: T0 + state.inputIndex,
  prev_randao: `0x${"00".repeat(32)}`,
  input_index: state.inputIndex++,
});

/** Devices and `count` batches of signed records, made before any clock starts; the same on every run. */
function makeBatches(count) {
  const devices = Array.from({ length: DEVICES }, (_, i) => {
    const secret = sha(`bench device ${i}`);
    const publicKey = tiny.pointFromScalar(secret, false).slice(1);
    return { secret, publicKey, address: deviceAddress(publicKey), seq: 0n };
  });
  const batches = [];
  for (let b = 0; b < count; b++) {
    const records = [];
    for (let i = 0; i < BATCH; i++) {
      const d = devices[i % DEVICES];
      d.seq += 1n;
      const header = { device: d.address, seq: d.seq, timestamp: BigInt(T0 - 60), bodyHash: sha(`${b}/${i}`) };
      const sealed = new Uint8Array(26 + PAYLOAD + 32).fill(b & 0xff);
      records.push({ ...header, signature: tiny.sign(readingDigest(header), d.secret), sealed });
    }
    batches.push(toHex(encodeRecordBatch(records)));
  }
  return { devices, batches };
}

/** Peak resident set of a process (VmHWM), MiB; undefined where /proc is not there. */
function peakRssMiB(pid) {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * One dApp process: registrations, WARMUP batches, BATCHES timed batches (probe phases), then
 * `extra` more batches untimed (for the peak RSS at a larger state). Every batch must be accepted whole.
 */
async function runDapp(command, extra = 0) {
  const { devices, batches } = makeBatches(WARMUP + BATCHES + extra);
  const state = { inputIndex: 0 };
  const dir = mkdtempSync(join(tmpdir(), "lcore-dapp-bench-"));
  const probeFile = join(dir, "probe.json");
  const server = await startRollupHttpServer({ port: 0 });
  const dapp = spawnDapp(command, { rollupHttpUrl: server.url, env: { LCORE_DAPP_PROBE_FILE: probeFile } });
  // If the dApp dies, say so instead of waiting for answers that will not come.
  const died = dapp.exited.then((code) => {
    throw new Error(`the dApp exited (${code})`);
  });
  died.catch(() => {});
  const orDie = (p) => Promise.race([p, died]);
  const readProbe = () => JSON.parse(readFileSync(probeFile, "utf8"));
  const check = (results) => {
    for (const r of results) {
      if (r.status !== "ACCEPTED") throw new Error(`batch ${r.status}: ${r.reports.join(",")}`);
      const n = decodeNotice(fromHex(decodeOutput(r.outputs[0]).payload));
      if (n.records.length !== BATCH) throw new Error(`only ${n.records.length} records accepted`);
    }
  };
  const send = async (list) => {
    for (let i = 0; i < list.length; i += WINDOW)
      check(
        await orDie(Promise.all(list.slice(i, i + WINDOW).map((p) => server.advance(metadata(state, GATEWAY), p)))),
      );
  };
  try {
    for (const d of devices) {
      const proof = tiny.sign(registrationProofDigest(31337n, fromHex(APP), fromHex(OWNER)), d.secret);
      const payload = encodeDeviceRegistration({
        publicKey: d.publicKey,
        proof,
        metadata: new Uint8Array(0),
        auth: { kind: "sender" },
      });
      const r = await orDie(server.advance(metadata(state, OWNER), toHex(payload)));
      if (r.status !== "ACCEPTED") throw new Error(`registration ${r.status}`);
    }
    // The owner allows the gateway to submit its devices' records (PROTOCOL §3.6).
    const grant = await orDie(
      server.advance(
        metadata(state, OWNER),
        toHex(encodeSubmitterGrant({ allowed: true, submitter: fromHex(GATEWAY) })),
      ),
    );
    if (grant.status !== "ACCEPTED") throw new Error(`grant ${grant.status}`);
    await send(batches.slice(0, WARMUP));
    const before = readProbe();
    const t0 = process.hrtime.bigint();
    await send(batches.slice(WARMUP, WARMUP + BATCHES));
    const wallNs = Number(process.hrtime.bigint() - t0);
    const after = readProbe();
    const t1 = process.hrtime.bigint();
    await send(batches.slice(WARMUP + BATCHES));
    const extraNs = Number(process.hrtime.bigint() - t1);

    const records = after.records - before.records;
    const perRecord = (phase) =>
      Number(BigInt(after.nanoseconds[phase]) - BigInt(before.nanoseconds[phase])) / records / 1000;
    const phases = {
      decode: perRecord("decode"),
      "signature verification": perRecord("verify"),
      sql: perRecord("sql"),
      hashing: perRecord("hash"),
      "commit + outputs": perRecord("other"),
    };
    return {
      phases,
      wallUs: wallNs / records / 1000,
      rate: records / (wallNs / 1e9),
      cpuUs: (after.cpuMicroseconds - before.cpuMicroseconds) / records,
      totalRecords: readProbe().records,
      extraSeconds: extraNs / 1e9,
      peakRssMiB: peakRssMiB(dapp.pid),
    };
  } finally {
    await dapp.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(title, r) {
  console.log(title);
  console.log("µs/record:");
  for (const [name, us] of Object.entries(r.phases)) console.log(`  ${name.padEnd(24)} ${us.toFixed(1).padStart(9)}`);
  const inDapp = Object.values(r.phases).reduce((a, b) => a + b, 0);
  console.log(`  ${"rollup HTTP, JSON, rest".padEnd(24)} ${(r.wallUs - inDapp).toFixed(1).padStart(9)}`);
  console.log(`  ${"total (wall)".padEnd(24)} ${r.wallUs.toFixed(1).padStart(9)}`);
  console.log(
    `  ${"dApp process CPU".padEnd(24)} ${r.cpuUs.toFixed(1).padStart(9)}   (${Math.round(1e6 / r.cpuUs)} records per CPU-second of the dApp)`,
  );
  console.log(`records/s: ${Math.round(r.rate)}`);
}

console.log(
  `dApp over the rollup HTTP API (host mode): ${BATCHES} timed batches × ${BATCH} records (208 bytes each), ${DEVICES} devices`,
);
console.log(`host node ${process.version}, ${cpus()[0]?.model ?? "cpu"} (${cpus().length} cores)`);
const x86 = await runDapp([process.execPath, MAIN]);
print(`\nx86-64 (${process.arch}), dist/main.js:`, x86);
let riscv64;
if (process.env.RISCV64 !== "0") {
  const runtime = await fetchRiscv64Runtime();
  // riscv64 runs the self-contained bundle (no node_modules in its root); rebuilt when older than dist/.
  if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < statSync(MAIN).mtimeMs) {
    const bundled = spawnSync(process.execPath, [fileURLToPath(new URL("../scripts/bundle.mjs", import.meta.url))], {
      stdio: "inherit",
    });
    if (bundled.status !== 0) throw new Error("bundling the dApp failed");
  }
  const extra = Math.max(0, Math.ceil(RISCV64_RECORDS / BATCH) - WARMUP - BATCHES);
  riscv64 = await runDapp(riscv64NodeCommand(runtime, [BUNDLE]), extra);
  print(`\nriscv64 (Debian trixie node under qemu-riscv64-static), dist-bundle/dapp.mjs:`, riscv64);
  const names = Object.keys(x86.phases);
  console.log("\nriscv64 / x86, per phase:");
  for (const n of names)
    console.log(`  ${n.padEnd(24)} ${(riscv64.phases[n] / x86.phases[n]).toFixed(1).padStart(7)} x`);
  console.log(`  ${"total (wall)".padEnd(24)} ${(riscv64.wallUs / x86.wallUs).toFixed(1).padStart(7)} x`);
  console.log(
    `riscv64: ${riscv64.totalRecords} records in all (the last ${riscv64.totalRecords - BATCH * (WARMUP + BATCHES)} untimed in the rate, ${riscv64.extraSeconds.toFixed(0)} s); ` +
      `peak RSS ${riscv64.peakRssMiB?.toFixed(0)} MiB against ram_length = 1Gi (1024 MiB) in cartesi.toml`,
  );
}
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}: phases are wall time inside the dApp and stretch when other processes share the cores`,
);
console.log(`BENCH dapp.records_per_s ${Math.round(x86.rate)} records/s`);
if (riscv64) {
  console.log(`BENCH dapp.riscv64.records_per_s ${Math.round(riscv64.rate)} records/s`);
  console.log(`BENCH dapp.riscv64_over_x86.slowdown ${(x86.rate / riscv64.rate).toFixed(1)} x`);
  if (riscv64.totalRecords >= 100_000)
    console.log(`BENCH dapp.riscv64.peak_rss_mib.100k ${riscv64.peakRssMiB?.toFixed(0)} MiB`);
  else
    console.log(
      `riscv64 peak RSS at ${riscv64.totalRecords} records: ${riscv64.peakRssMiB?.toFixed(0)} MiB (RISCV64_RECORDS=100000 for the 100k figure)`,
    );
}
