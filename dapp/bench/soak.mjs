#!/usr/bin/env node
// `npm run bench:soak -w dapp`: many records over simulated days of settlement periods,
// through the dApp in-process (Dapp.advance, host mode, no HTTP), to show that pruning
// (PROTOCOL §11) keeps the machine bounded by the fleet and its open periods, not by
// history. Records are signed as they are generated (each signature covers its seq, so
// none can be reused), and only the time inside advance() counts towards records/s.
// Per million records it prints the peak RSS and the dApp's records/s; at the end the
// first and last million as BENCH lines.
//
//   RECORDS=<n>            records in all (default 10,000,000)
//   PERIOD_RECORDS=<n>     records per settlement period (default 100,000: 3,600 s of block time)
//   DEVICES=<n>            devices (default 1,000)

import { cpus, loadavg } from "node:os";
import { createHash } from "node:crypto";
import * as tiny from "tiny-secp256k1";
import { MAX_BATCH_RECORDS } from "@lcore/protocol/bounds";
import { fromHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import { deviceAddress, readingDigest, registrationProofDigest } from "@lcore/protocol/deviceMessage";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { SETTLEMENT_PERIOD_SECONDS } from "@lcore/protocol/settlement";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import { Dapp } from "@lcore/dapp";

const RECORDS = Number(process.env.RECORDS ?? 10_000_000);
const PERIOD_RECORDS = Number(process.env.PERIOD_RECORDS ?? 100_000);
const DEVICES = Number(process.env.DEVICES ?? 1_000);
const BATCH = 300; // ≤ MAX_BATCH_RECORDS with 208-byte records: 4 + 300 × 208 = 62,404 bytes
const MILLION = 1_000_000;
const APP = "0xab7528bb862fb57e8a2bcd567a2e929a0be56a5e";
const OWNER = "0x00000000000000000000000000000000000000a1";
const GATEWAY = "0x00000000000000000000000000000000000000c3";
const T0 = 1_763_000_000 - (1_763_000_000 % Number(SETTLEMENT_PERIOD_SECONDS));
if (BATCH > MAX_BATCH_RECORDS || RECORDS < BATCH) throw new Error("bad sizes");

const sha = (s) => new Uint8Array(createHash("sha256").update(s).digest());
let inputIndex = 0;
let blockTimestamp = T0;
const metadata = (sender) => ({
  chain_id: 31337,
  app_contract: APP,
  msg_sender: sender,
  block_number: 100 + inputIndex,
  block_timestamp: blockTimestamp,
  prev_randao: `0x${"00".repeat(32)}`,
  input_index: inputIndex++,
});

const dapp = await Dapp.create();
const devices = Array.from({ length: DEVICES }, (_, i) => {
  const secret = sha(`soak device ${i}`);
  const publicKey = tiny.pointFromScalar(secret, false).slice(1);
  return { secret, publicKey, address: deviceAddress(publicKey), seq: 0n };
});
for (const d of devices) {
  const proof = tiny.sign(registrationProofDigest(31337n, fromHex(APP), fromHex(OWNER)), d.secret);
  const r = dapp.advance(
    metadata(OWNER),
    encodeDeviceRegistration({ publicKey: d.publicKey, proof, metadata: new Uint8Array(0), auth: { kind: "sender" } }),
  );
  if (r.status !== "accept") throw new Error("registration rejected");
}
// The owner allows the gateway to submit its devices' records (PROTOCOL §3.6).
if (
  dapp.advance(metadata(OWNER), encodeSubmitterGrant({ allowed: true, submitter: fromHex(GATEWAY) })).status !==
  "accept"
)
  throw new Error("grant rejected");

const sealed = new Uint8Array(26 + 16 + 32).fill(0x5a); // 74 bytes: a 16-byte reading payload, records of 208 bytes
const windows = []; // per million: { peakRssMiB, advanceNs, records }
let win = { peakRss: 0, advanceNs: 0n, records: 0 };
let done = 0;
let settled = 0;
const started = process.hrtime.bigint();
while (done < RECORDS) {
  const n = Math.min(BATCH, RECORDS - done);
  // Block time: PERIOD_RECORDS records per settlement period, evenly spread.
  blockTimestamp = T0 + Math.floor((done * Number(SETTLEMENT_PERIOD_SECONDS)) / PERIOD_RECORDS);
  const records = [];
  for (let i = 0; i < n; i++) {
    const d = devices[(done + i) % DEVICES];
    d.seq += 1n;
    const header = {
      device: d.address,
      seq: d.seq,
      timestamp: BigInt(blockTimestamp - 30),
      bodyHash: sha(`${done + i}`),
    };
    records.push({ ...header, signature: tiny.sign(readingDigest(header), d.secret), sealed });
  }
  const payload = encodeRecordBatch(records);
  const t = process.hrtime.bigint();
  const r = dapp.advance(metadata(GATEWAY), payload);
  win.advanceNs += process.hrtime.bigint() - t;
  if (r.status !== "accept") throw new Error(`batch rejected at ${done}`);
  for (const o of r.outputs) if (o.type === "notice" && o.payload[0] === 0x90) settled++;
  done += n;
  win.records += n;
  const rss = process.memoryUsage.rss();
  if (rss > win.peakRss) win.peakRss = rss;
  if (win.records >= MILLION || done === RECORDS) {
    const w = {
      peakRssMiB: Math.round(win.peakRss / 2 ** 20),
      recordsPerS: Math.round(win.records / (Number(win.advanceNs) / 1e9)),
      records: win.records,
    };
    windows.push(w);
    const stored = dapp.store.sql.one("SELECT count(*) FROM records", [])[0];
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `${String(done).padStart(10)} records  ${settled} periods settled  ${String(stored).padStart(7)} in state  peak RSS ${w.peakRssMiB} MiB  dApp ${w.recordsPerS} records/s  (${elapsed.toFixed(0)} s wall, signing included)`,
    );
    win = { peakRss: 0, advanceNs: 0n, records: 0 };
  }
}
const first = windows[0];
const last = windows[windows.length - 1];
const s = dapp.store.state();
console.log(
  `soak: ${done} records, ${DEVICES} devices, ${PERIOD_RECORDS} records per settlement period (${(((done / PERIOD_RECORDS) * Number(SETTLEMENT_PERIOD_SECONDS)) / 86_400).toFixed(1)} simulated days), ${settled} periods settled; state holds ${dapp.store.sql.one("SELECT count(*) FROM records", [])[0]} of ${s.records} records`,
);
console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? "cpu"} (${cpus().length} cores), load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(`BENCH dapp.soak.peak_rss_mib.first_1m ${first.peakRssMiB} MiB`);
console.log(`BENCH dapp.soak.peak_rss_mib.last_1m ${last.peakRssMiB} MiB`);
console.log(`BENCH dapp.soak.records_per_s.first_1m ${first.recordsPerS} records/s`);
console.log(`BENCH dapp.soak.records_per_s.last_1m ${last.recordsPerS} records/s`);
console.log(`BENCH dapp.soak.peak_rss_mib ${Math.max(...windows.map((w) => w.peakRssMiB))} MiB`);
console.log(
  `BENCH dapp.soak.records_per_s ${Math.round(done / windows.reduce((a, w) => a + w.records / w.recordsPerS, 0))} records/s`,
);
