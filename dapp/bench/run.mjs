#!/usr/bin/env node
// `npm run bench -w dapp`: the dApp process driven over the rollup HTTP API (devnet's
// server, host mode) with batches of 100 signed records. Prints records/s end to end and
// µs/record split into decode, signature verification, SQL and hashing (the dApp's probe,
// LCORE_DAPP_PROBE_FILE), the rest being the HTTP round trips and JSON. Last line:
// `BENCH dapp.records_per_s <n> records/s`. BATCHES=<n> (default 60) sets the length.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import * as tiny from "tiny-secp256k1";
import {
  decodeNotice, deviceAddress, encodeDeviceRegistration, encodeRecordBatch, fromHex, readingDigest,
  registrationProofDigest, toHex,
} from "@lcore/dapp/protocol";
import { decodeOutput, spawnDapp, startRollupHttpServer } from "@lcore/devnet";

const BATCH = 100;
const BATCHES = Number(process.env.BATCHES ?? 60);
const WARMUP = 5;
const DEVICES = 10;
const PAYLOAD = 16; // reading payload bytes: sealed = 26 + 16 + 32 = 74, record = 208 bytes
const APP = "0xab7528bb862fb57e8a2bcd567a2e929a0be56a5e";
const OWNER = "0x00000000000000000000000000000000000000a1";
const GATEWAY = "0x00000000000000000000000000000000000000c3";
const T0 = 1_763_000_000;
const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

const sha = (s) => new Uint8Array(createHash("sha256").update(s).digest());
let inputIndex = 0;
const metadata = (sender) => ({
  chain_id: 31337, app_contract: APP, msg_sender: sender, block_number: 100 + inputIndex,
  block_timestamp: T0 + inputIndex, prev_randao: `0x${"00".repeat(32)}`, input_index: inputIndex++,
});

// Devices and their batches, signed before the clock starts.
const devices = Array.from({ length: DEVICES }, (_, i) => {
  const secret = sha(`bench device ${i}`);
  const publicKey = tiny.pointFromScalar(secret, false).slice(1);
  return { secret, publicKey, address: deviceAddress(publicKey), seq: 0n };
});
const batches = [];
for (let b = 0; b < WARMUP + BATCHES; b++) {
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

const dir = mkdtempSync(join(tmpdir(), "lcore-dapp-bench-"));
const probeFile = join(dir, "probe.json");
const server = await startRollupHttpServer({ port: 0 });
// DAPP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p" profiles the dApp (written when it stops).
const nodeArgs = (process.env.DAPP_NODE_ARGS ?? "").split(" ").filter(Boolean);
const dapp = spawnDapp([process.execPath, ...nodeArgs, MAIN], { rollupHttpUrl: server.url, env: { LCORE_DAPP_PROBE_FILE: probeFile } });
// If the dApp dies, say so instead of waiting for answers that will not come.
const died = dapp.exited.then((code) => { throw new Error(`the dApp exited (${code})`); });
died.catch(() => {});
const orDie = (p) => Promise.race([p, died]);
const readProbe = () => JSON.parse(readFileSync(probeFile, "utf8"));

try {
  for (const d of devices) {
    const proof = tiny.sign(registrationProofDigest(31337n, fromHex(APP), fromHex(OWNER)), d.secret);
    const payload = encodeDeviceRegistration({ publicKey: d.publicKey, proof, metadata: new Uint8Array(0), auth: { kind: "sender" } });
    const r = await orDie(server.advance(metadata(OWNER), toHex(payload)));
    if (r.status !== "ACCEPTED") throw new Error(`registration ${r.status}`);
  }
  const send = (list) => orDie(Promise.all(list.map((p) => server.advance(metadata(GATEWAY), p))));
  const check = (results) => {
    for (const r of results) {
      if (r.status !== "ACCEPTED") throw new Error(`batch ${r.status}: ${r.reports.join(",")}`);
      const n = decodeNotice(fromHex(decodeOutput(r.outputs[0]).payload));
      if (n.records.length !== BATCH) throw new Error(`only ${n.records.length} records accepted`);
    }
  };
  check(await send(batches.slice(0, WARMUP)));
  const before = readProbe();
  const t0 = process.hrtime.bigint();
  const results = await send(batches.slice(WARMUP));
  const wallNs = Number(process.hrtime.bigint() - t0);
  check(results);
  const after = readProbe();

  const records = after.records - before.records;
  const perRecord = (phase) => (Number(BigInt(after.nanoseconds[phase]) - BigInt(before.nanoseconds[phase])) / records / 1000);
  const phases = { decode: perRecord("decode"), "signature verification": perRecord("verify"), sql: perRecord("sql"), hashing: perRecord("hash"), "commit + outputs": perRecord("other") };
  const inDapp = Object.values(phases).reduce((a, b) => a + b, 0);
  const wallUs = wallNs / records / 1000;
  const rate = Math.round(records / (wallNs / 1e9));
  const cpuUs = (after.cpuMicroseconds - before.cpuMicroseconds) / records;

  console.log(`dApp over the rollup HTTP API (host mode): ${BATCHES} batches × ${BATCH} records (${batches[WARMUP].length / 2 - 1} bytes each), ${DEVICES} devices`);
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? "cpu"} (${cpus().length} cores)`);
  console.log("µs/record:");
  for (const [name, us] of Object.entries(phases)) console.log(`  ${name.padEnd(24)} ${us.toFixed(1).padStart(7)}`);
  console.log(`  ${"rollup HTTP, JSON, rest".padEnd(24)} ${(wallUs - inDapp).toFixed(1).padStart(7)}`);
  console.log(`  ${"total (wall)".padEnd(24)} ${wallUs.toFixed(1).padStart(7)}`);
  console.log(`  ${"dApp process CPU".padEnd(24)} ${cpuUs.toFixed(1).padStart(7)}   (${Math.round(1e6 / cpuUs)} records per CPU-second of the dApp)`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}: phases are wall time inside the dApp and stretch when other processes share the cores`);
  console.log(`records/s: ${rate}`);
  console.log(`BENCH dapp.records_per_s ${rate} records/s`);
} finally {
  await dapp.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
