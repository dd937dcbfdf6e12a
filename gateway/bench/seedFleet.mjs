// Seeds an outbox with a fleet: `devices` registered devices and `readings` readings in
// total, sealed for real under the owner key (so the console's owner views decrypt them),
// in the shapes a fleet at work leaves behind. Readings arrive round by round (reading k
// of every device, then k + 1, …), one hour of device time apart, so the newest rounds are
// today and the oldest several days back (disclosure days to list). Of the devices:
//   - 1 in 100 have their readings rejected by the dApp from round 3/4 on (bad_signature),
//   - 1 in 50 went silent half-way (their later readings never came),
//   - 1 in 20 have their last 2 readings still queued (not sent yet);
// the rest are accepted, and the periods (hours) of their records settled on chain.
// Signatures are placeholders: the console never re-verifies stored readings. With
// `offChain` and no readings it writes only devices registered long ago (OFF_CHAIN_INDEX).
//
//   node bench/seedFleet.mjs <outbox.db> [devices=10000] [readings=1000000]
//
// Needs the built gateway (npm run build -w gateway). The gateway's own parts (outbox
// schema, sealer) are passed in by the caller, so tests seed with the TypeScript sources.

import { createHash, randomBytes } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { deviceAddress, encodeReadingBody, readingDigest } from "@lcore/protocol/deviceMessage";
import { sha256 } from "@lcore/wasm-core";

const HOUR_S = 3600;
const ROUND_S = HOUR_S;
/** One input carries this many readings (PROTOCOL §3.5 allows more; a round is split in such inputs). */
const PER_INPUT = 100;

/**
 * offChain: registrations the gateway takes as long done, in the outbox of a gateway on a live
 * chain (the browser test's thousands of devices): input indices far above the chain's, no
 * nonce and no transaction, and a block below any the inclusion watch re-checks.
 */
const OFF_CHAIN_INDEX = 1_000_000_000;
const OFF_CHAIN_BLOCK = -1_000_000;

const h = (text) => createHash("sha256").update(text).digest();
const u64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

function fleet(devices) {
  return Array.from({ length: devices }, (_, i) => {
    // Real keys: the gateway checks every stored key when it loads its devices.
    const publicKey = secp256k1.getPublicKey(h(`device key ${i}`), false).subarray(1);
    return device(i, Buffer.from(publicKey));
  });
}

function device(i, publicKey) {
  return {
    i,
    address: Buffer.from(deviceAddress(publicKey)),
    publicKey,
    metadata: JSON.stringify({
      type: "thermometer",
      site: `site-${i % 97}`,
      serial: `SN-${100000 + i}`,
      unit: "°C",
      decimals: 2,
    }),
    rejecting: i % 100 === 7,
    silentFrom: i % 50 === 3 ? 0.5 : 1,
    queuedTail: i % 20 === 11 ? 2 : 0,
  };
}

/**
 * The fewest rounds that hold `readings` (silent devices send only their first half), so the
 * newest rounds, those with queued tails, are among the ones written.
 */
function plannedRounds(all, readings) {
  let rounds = 1;
  const total = (r) => all.reduce((n, d) => n + Math.min(r, Math.ceil(r * d.silentFrom)), 0);
  while (total(rounds) < readings) rounds++;
  return rounds;
}

/** The owner key, app and device addresses of a seeded fleet (the same for every seed of that size). */
export function fleetKeys(devices) {
  return {
    ownerKey: new Uint8Array(h("lcore console bench owner key")),
    app: new Uint8Array(h("lcore console bench app").subarray(0, 20)),
    addresses: fleet(devices).map((d) => `0x${d.address.toString("hex")}`),
  };
}

/**
 * Writes the fleet into the outbox at `path` (a fresh file). Returns what it wrote and the
 * owner key/app the readings are sealed for, so a gateway opened on the file reads them.
 */
export function seedFleet({
  path,
  devices = 10_000,
  readings = 1_000_000,
  nowMs = Date.now(),
  log = () => {},
  gateway: { openOutboxDb, Sealer, Secret },
  rounds: fixedRounds,
  offChain = false,
}) {
  const { ownerKey, app, addresses } = fleetKeys(devices);
  const sealer = new Sealer(new Secret(ownerKey), app);
  const db = openOutboxDb(path);
  db.pragma("synchronous = OFF");
  const all = fleet(devices);
  const rounds = fixedRounds ?? plannedRounds(all, readings);
  const nowS = Math.floor(nowMs / 1000);
  const firstS = nowS - rounds * ROUND_S;
  const insInput =
    db.prepare(`INSERT INTO inputs (id, kind, payload, created_ms, nonce, tx_hash, block_number, input_index,
      included_ms, node_status, reason, processed_ms, final_ms) VALUES (?, ?, x'00', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insDevice = db.prepare(
    "INSERT INTO devices (address, public_key, metadata, last_seq, registered_ms, input_id) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const insReading = db.prepare(`INSERT INTO readings (device, seq, timestamp, body_hash, digest, signature, sealed,
      received_ms, input_id, position, outcome, reason, notice_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insRecord = db.prepare(
    "INSERT INTO chain_records (record_id, device, seq, record_hash, notice_index) VALUES (?, ?, ?, ?, ?)",
  );
  const insPeriod = db.prepare(`INSERT INTO periods (period, records_root, record_count, first_record, state_hash,
      notice_index, voucher_index, voucher, executed_tx, executed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, x'00', ?, ?)`);
  let inputId = 0;
  let inputIndex = 0;
  let block = 100;
  const inputAt = (kind, ms, status = "ACCEPTED") => {
    inputId++;
    if (offChain)
      insInput.run(
        inputId,
        kind,
        ms,
        null,
        null,
        OFF_CHAIN_BLOCK,
        OFF_CHAIN_INDEX + inputIndex,
        ms,
        status,
        null,
        ms,
        ms,
      );
    else insInput.run(inputId, kind, ms, inputId, randomBytes(32), block, inputIndex, ms, status, null, ms, ms);
    inputIndex++;
    if (inputIndex % 10 === 0) block++;
    return inputId;
  };
  db.transaction(() => {
    for (const d of all)
      insDevice.run(
        d.address,
        d.publicKey,
        d.metadata,
        null,
        (firstS - 60) * 1000,
        inputAt("registration", (firstS - 60) * 1000),
      );
  })();
  let recordId = 0;
  let written = 0;
  const periods = new Map();
  const signature = Buffer.alloc(64, 7);
  for (let k = 0; k < rounds && written < readings; k++) {
    db.transaction(() => {
      const ts = firstS + k * ROUND_S;
      let position = PER_INPUT;
      let input = 0;
      for (const d of all) {
        if (written >= readings) break;
        if (k >= rounds * d.silentFrom) continue;
        const seq = BigInt(k + 1);
        const timestamp = BigInt(ts + (d.i % 600));
        const receivedMs = (ts + (d.i % 600) + 1) * 1000;
        const nonce = h(`nonce ${d.i} ${k}`).subarray(0, 16);
        const body = encodeReadingBody({
          nonce,
          value: BigInt(2000 + ((d.i * 7 + k * 13) % 900)),
          payload: new Uint8Array(0),
        });
        const digest = readingDigest({ device: d.address, seq, timestamp, bodyHash: sha256(body) });
        const sealed = sealer.seal({ device: d.address, seq, timestamp, digest, body });
        const queued = k >= rounds - d.queuedTail;
        if (!queued && position === PER_INPUT) {
          input = inputAt("records", receivedMs + 2000);
          position = 0;
        }
        const rejected = d.rejecting && k >= (rounds * 3) / 4;
        const outcome = queued ? null : rejected ? "rejected" : "accepted";
        insReading.run(
          d.address,
          u64(seq),
          Number(timestamp),
          sha256(body),
          digest,
          signature,
          sealed,
          receivedMs,
          queued ? null : input,
          queued ? null : position,
          outcome,
          rejected ? "bad_signature" : null,
          queued ? null : inputIndex - 1,
        );
        if (!queued) position++;
        if (outcome === "accepted") {
          recordId++;
          insRecord.run(recordId, d.address, u64(seq), h(`record ${recordId}`), inputIndex - 1);
          const period = Math.floor(Number(timestamp) / HOUR_S);
          const p = periods.get(period) ?? { first: recordId, count: 0 };
          p.count++;
          periods.set(period, p);
        }
        written++;
      }
    })();
    if (k % 10 === 0) log(`seed: round ${k + 1}/${rounds}, ${written} readings`);
  }
  const sorted = [...periods.entries()].sort((a, b) => a[0] - b[0]);
  db.transaction(() => {
    sorted.forEach(([period, p], n) => {
      const ms = (period + 1) * HOUR_S * 1000 + 60_000;
      insPeriod.run(period, h(`root ${period}`), p.count, p.first, h(`state ${period}`), n, n, randomBytes(32), ms);
    });
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return { devices, readings: written, rounds, ownerKey, app, addresses };
}

/** The parts seedFleet needs, from the built gateway. */
export async function builtGateway() {
  const { openOutboxDb } = await import("../dist/outbox/database.js");
  const { Sealer } = await import("../dist/readings/sealer.js");
  const { Secret } = await import("../dist/util/secrets.js");
  return { openOutboxDb, Sealer, Secret };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, devices, readings] = process.argv.slice(2);
  if (path === undefined) {
    console.error("usage: node bench/seedFleet.mjs <outbox.db> [devices=10000] [readings=1000000]");
    process.exit(2);
  }
  const t0 = performance.now();
  const out = seedFleet({
    path,
    devices: Number(devices ?? 10_000),
    readings: Number(readings ?? 1_000_000),
    log: console.log,
    gateway: await builtGateway(),
  });
  console.log(
    `seeded ${out.devices} devices and ${out.readings} readings in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
