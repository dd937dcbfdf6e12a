#!/usr/bin/env node
// `npm run bench -w dapp`: the dApp process driven over the rollup HTTP API (devnet's
// server, host mode) with batches of 100 signed records, in one run on:
//   x86-64   this machine's Node, dist/main.js, with the native verifier and with the WASM one;
//   riscv64  the bundle on Debian's riscv64 Node under qemu-riscv64-static (runtime fetched or
//            reused from ~/.cache/lcore), native and WASM verifier;
//   riscv64-vm  the same bundle and Node inside a whole riscv64 system (qemu-system, devnet's
//            --machine riscv64-vm), native verifier: records/s only (the probe's file is the
//            guest's), or why it could not run.
// Native runs set LCORE_REQUIRE_NATIVE=1 (the dApp exits rather than fall back), WASM runs
// LCORE_DISABLE_NATIVE=1. Prints records/s end to end and µs/record split into decode,
// signature verification, SQL and hashing (the dApp's probe, LCORE_DAPP_PROBE_FILE), the
// rest being the HTTP round trips and JSON; then the riscv64/x86 ratio and the riscv64
// process's peak RSS (VmHWM: Node plus qemu's translation buffers) after RISCV64_RECORDS.
// BATCHES=<n> (default 60) sets the length of each timed run; RISCV64_RECORDS=<n> (default
// 100000) the records sent to the native riscv64 run for the peak RSS figure; RISCV64=0 skips
// riscv64 and the VM, VM=0 the VM; VM_BATCHES=<n> (default 20) the VM's timed batches and
// VM_BUDGET_S=<s> (default 300) how long the VM may take to boot and answer before it is
// given up with the reason. Last lines: `BENCH dapp.records_per_s`, `BENCH dapp.riscv64.records_per_s`,
// `BENCH dapp.verify.native_over_wasm` (x86), `BENCH dapp.riscv64.verify.native_over_wasm`,
// `BENCH dapp.riscv64_vm.records_per_s`, `BENCH dapp.riscv64_over_x86.slowdown`,
// `BENCH dapp.riscv64.peak_rss_mib.100k`.

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
import {
  decodeOutput,
  fetchRiscv64Runtime,
  fetchRiscv64Vm,
  riscv64NodeCommand,
  riscv64VmCommand,
  spawnDapp,
  startRollupHttpServer,
} from "@lcore/devnet";

const BATCH = 100;
const BATCHES = Number(process.env.BATCHES ?? 60);
const RISCV64_RECORDS = Number(process.env.RISCV64_RECORDS ?? 100_000);
const VM_BATCHES = Number(process.env.VM_BATCHES ?? 20);
const VM_BUDGET_S = Number(process.env.VM_BUDGET_S ?? 300);
const NATIVE = { LCORE_REQUIRE_NATIVE: "1" };
const WASM = { LCORE_DISABLE_NATIVE: "1" };
const WARMUP = 5;
const DAY_BATCHES = 80;
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
      // A new disclosure day every DAY_BATCHES batches: 800 records per device-day, under MAX_DEVICE_DAY_RECORDS.
      const timestamp = BigInt(T0 - 60 - 86_400 * Math.floor(b / DAY_BATCHES));
      const header = { device: d.address, seq: d.seq, timestamp, bodyHash: sha(`${b}/${i}`) };
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
 * One dApp process: registrations, WARMUP batches, `timed` timed batches (probe phases unless
 * `probe` is false), then `extra` more batches untimed (for the peak RSS at a larger state).
 * Every batch must be accepted whole. `budgetS` bounds the wait for the first answer (a VM's boot).
 */
async function runDapp(command, { env, extra = 0, timed = BATCHES, probe = true, budgetS } = {}) {
  const { devices, batches } = makeBatches(WARMUP + timed + extra);
  const state = { inputIndex: 0 };
  const dir = mkdtempSync(join(tmpdir(), "lcore-dapp-bench-"));
  const probeFile = join(dir, "probe.json");
  const server = await startRollupHttpServer({ port: 0 });
  const dapp = spawnDapp(command, {
    rollupHttpUrl: server.url,
    env: { ...env, ...(probe ? { LCORE_DAPP_PROBE_FILE: probeFile } : {}) },
  });
  // If the dApp dies, say so instead of waiting for answers that will not come; with a
  // budget, the first answer (a VM's boot) is awaited at most that long.
  let timer;
  const died = new Promise((_, reject) => {
    dapp.exited.then((code) => reject(new Error(`the dApp exited (${code})`)));
    if (budgetS !== undefined)
      timer = setTimeout(() => reject(new Error(`no answer within ${budgetS} s (VM_BUDGET_S)`)), budgetS * 1000);
  });
  died.catch(() => {});
  const orDie = (p) => Promise.race([p, died]);
  const count = (records) => ({
    records,
    nanoseconds: { decode: 0, verify: 0, sql: 0, hash: 0, other: 0 },
    cpuMicroseconds: 0,
  });
  let sent = 0;
  const readProbe = () => (probe ? JSON.parse(readFileSync(probeFile, "utf8")) : count(sent));
  const check = (results) => {
    for (const r of results) {
      if (r.status !== "ACCEPTED") throw new Error(`batch ${r.status}: ${r.reports.join(",")}`);
      const n = decodeNotice(fromHex(decodeOutput(r.outputs[0]).payload));
      if (n.records.length !== BATCH) throw new Error(`only ${n.records.length} records accepted`);
      sent += BATCH;
    }
  };
  const send = async (list) => {
    for (let i = 0; i < list.length; i += WINDOW)
      check(
        await orDie(Promise.all(list.slice(i, i + WINDOW).map((p) => server.advance(metadata(state, GATEWAY), p)))),
      );
  };
  const t00 = process.hrtime.bigint();
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
    const firstAnswerS = Number(process.hrtime.bigint() - t00) / 1e9;
    clearTimeout(timer);
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
    await send(batches.slice(WARMUP, WARMUP + timed));
    const wallNs = Number(process.hrtime.bigint() - t0);
    const after = readProbe();
    const t1 = process.hrtime.bigint();
    await send(batches.slice(WARMUP + timed));
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
      timedRecords: records,
      firstAnswerS,
      extraSeconds: extraNs / 1e9,
      peakRssMiB: peakRssMiB(dapp.pid),
    };
  } finally {
    clearTimeout(timer);
    await dapp.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The phases of the four probed runs side by side, µs/record. */
function printTable(runs) {
  const cols = Object.keys(runs);
  const cell = (v) => (v === undefined ? "—" : v.toFixed(1)).padStart(15);
  console.log(`\n${"µs/record".padEnd(26)}${cols.map((c) => c.padStart(15)).join("")}`);
  const inDapp = (r) => Object.values(r.phases).reduce((a, b) => a + b, 0);
  const rows = [
    ...Object.keys(runs[cols[0]].phases).map((n) => [n, (r) => r.phases[n]]),
    ["rollup HTTP, JSON, rest", (r) => r.wallUs - inDapp(r)],
    ["total (wall)", (r) => r.wallUs],
    ["dApp process CPU", (r) => r.cpuUs],
  ];
  for (const [name, get] of rows) console.log(`  ${name.padEnd(24)}${cols.map((c) => cell(get(runs[c]))).join("")}`);
  console.log(
    `  ${"records/s (wall)".padEnd(24)}${cols.map((c) => String(Math.round(runs[c].rate)).padStart(15)).join("")}`,
  );
}

/** The riscv64 addon (native/build-riscv64.mjs: cross-compiled, cached in ~/.cache/lcore), built when missing: the native riscv64 rows need it. */
function ensureRiscv64Addon() {
  if (existsSync(fileURLToPath(new URL("../native/build/lcore_secp256k1-linux-riscv64.node", import.meta.url)))) return;
  const built = spawnSync(process.execPath, [fileURLToPath(new URL("../native/build-riscv64.mjs", import.meta.url))], {
    stdio: "inherit",
  });
  if (built.status !== 0)
    throw new Error("building the riscv64 addon failed (npm run build-native-riscv64 -w dapp says why)");
}

/** The bundle, rebuilt when older than dist/ or without the riscv64 addon beside it (riscv64 runs it: no node_modules in its root). */
function ensureBundle() {
  const addon = fileURLToPath(new URL("../dist-bundle/lcore_secp256k1-linux-riscv64.node", import.meta.url));
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= statSync(MAIN).mtimeMs && existsSync(addon)) return;
  const bundled = spawnSync(process.execPath, [fileURLToPath(new URL("../scripts/bundle.mjs", import.meta.url))], {
    stdio: "inherit",
  });
  if (bundled.status !== 0) throw new Error("bundling the dApp failed");
}

console.log(
  `dApp over the rollup HTTP API (host mode): ${BATCHES} timed batches × ${BATCH} records (208 bytes each), ${DEVICES} devices`,
);
console.log(`host node ${process.version}, ${cpus()[0]?.model ?? "cpu"} (${cpus().length} cores)`);
const runs = {};
runs["x86 native"] = await runDapp([process.execPath, MAIN], { env: NATIVE });
runs["x86 wasm"] = await runDapp([process.execPath, MAIN], { env: WASM });
let vm;
if (process.env.RISCV64 !== "0") {
  const runtime = await fetchRiscv64Runtime();
  ensureRiscv64Addon();
  ensureBundle();
  const extra = Math.max(0, Math.ceil(RISCV64_RECORDS / BATCH) - WARMUP - BATCHES);
  runs["riscv64 native"] = await runDapp(riscv64NodeCommand(runtime, [BUNDLE]), { env: NATIVE, extra });
  runs["riscv64 wasm"] = await runDapp(riscv64NodeCommand(runtime, [BUNDLE]), { env: WASM });
  if (process.env.VM !== "0") {
    try {
      const command = riscv64VmCommand(await fetchRiscv64Vm(), [BUNDLE]);
      vm = await runDapp(command, { env: NATIVE, timed: VM_BATCHES, probe: false, budgetS: VM_BUDGET_S });
    } catch (e) {
      vm = { error: e instanceof Error ? e.message : String(e) };
    }
  }
}
printTable(runs);
const x86 = runs["x86 native"];
const riscv64 = runs["riscv64 native"];
const verifyRatio = (n, w) => w.phases["signature verification"] / n.phases["signature verification"];
console.log(`\nsignature verification, WASM / native: x86 ${verifyRatio(x86, runs["x86 wasm"]).toFixed(1)}×`);
if (riscv64) {
  console.log(
    `                                       riscv64 ${verifyRatio(riscv64, runs["riscv64 wasm"]).toFixed(1)}×`,
  );
  console.log("riscv64 / x86 (native), per phase:");
  for (const n of Object.keys(x86.phases))
    console.log(`  ${n.padEnd(24)} ${(riscv64.phases[n] / x86.phases[n]).toFixed(1).padStart(7)} x`);
  console.log(`  ${"total (wall)".padEnd(24)} ${(riscv64.wallUs / x86.wallUs).toFixed(1).padStart(7)} x`);
  console.log(
    `riscv64 native: ${riscv64.totalRecords} records in all (the last ${riscv64.totalRecords - BATCH * (WARMUP + BATCHES)} untimed in the rate, ${riscv64.extraSeconds.toFixed(0)} s); ` +
      `peak RSS ${riscv64.peakRssMiB?.toFixed(0)} MiB against ram_length = 1Gi (1024 MiB) in cartesi.toml`,
  );
}
if (vm?.error !== undefined) console.log(`\nriscv64-vm (qemu-system, 2 harts, 1 GiB): not measured: ${vm.error}`);
else if (vm !== undefined)
  console.log(
    `\nriscv64-vm (qemu-system, 2 harts, 1 GiB), native verifier: boot to the first answer ${vm.firstAnswerS.toFixed(1)} s, ` +
      `${vm.timedRecords} records in ${(vm.timedRecords / vm.rate).toFixed(1)} s: ${Math.round(vm.rate)} records/s ` +
      `(${(x86.rate / vm.rate).toFixed(1)}× under x86, ${(riscv64.rate / vm.rate).toFixed(1)}× under qemu-user)`,
  );
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}: phases are wall time inside the dApp and stretch when other processes share the cores`,
);
console.log(`BENCH dapp.records_per_s ${Math.round(x86.rate)} records/s`);
console.log(`BENCH dapp.verify.native_over_wasm ${verifyRatio(x86, runs["x86 wasm"]).toFixed(1)} x`);
if (riscv64) {
  console.log(`BENCH dapp.riscv64.records_per_s ${Math.round(riscv64.rate)} records/s`);
  console.log(`BENCH dapp.riscv64.verify.native_over_wasm ${verifyRatio(riscv64, runs["riscv64 wasm"]).toFixed(1)} x`);
  console.log(`BENCH dapp.riscv64_over_x86.slowdown ${(x86.rate / riscv64.rate).toFixed(1)} x`);
  if (riscv64.totalRecords >= 100_000)
    console.log(`BENCH dapp.riscv64.peak_rss_mib.100k ${riscv64.peakRssMiB?.toFixed(0)} MiB`);
  else
    console.log(
      `riscv64 peak RSS at ${riscv64.totalRecords} records: ${riscv64.peakRssMiB?.toFixed(0)} MiB (RISCV64_RECORDS=100000 for the 100k figure)`,
    );
}
if (vm !== undefined && vm.error === undefined)
  console.log(`BENCH dapp.riscv64_vm.records_per_s ${Math.round(vm.rate)} records/s`);
