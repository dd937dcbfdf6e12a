#!/usr/bin/env node
// `node bench/worst.mjs` (run by `npm run bench -w dapp`): the cost of the most expensive input
// of every kind against a large state, through the dApp in-process (Dapp.advance, host
// Node, native verifier), because the machine has no gas: one slow input stalls the
// application for everyone (issue 27, item 7).
//
// The state: DEVICES devices (default 100,000) registered by one owner with metadata at its
// bound (256 bytes), the owner's submitters at their bound (16), GRANTS submitter grants of
// other owners (default 100,000, 16 each), BALANCES balance rows (default 100,000), and
// one device-day of DAY_RECORDS records of one device (default MAX_DEVICE_DAY_RECORDS, the
// documented bound) in the open settlement period. Balances, bounties and grants are Merkle
// trees updated one path per changed row (PROTOCOL §5.1), so building them is linear (v1
// refolded the table on each input, which capped BALANCES at 2,000); a new-row deposit and a
// grant are also timed after the first 1,000 rows, beside the ones at full size, to show the
// cost does not grow with the tables. Then each kind is timed at its
// worst: a registration at the metadata bound, a batch of 339 records from 339 devices, the
// 16th submitter grant, a rotation and a revocation (devices refold), deposits, a transfer,
// a withdrawal, a bounty opening, solution and refund, the tick that settles the period
// holding the device-day, the 0x11 disclosure of that day, the tick that settles a period of
// PRUNE_RECORDS records from as many devices (up to all of them: the widest devicesRoot), the
// tick that prunes that period, and the inputs after it that carry the prune steps (a 339-record
// batch, a rotation). Each accepted input is checked (a rejected one would time the wrong path).
// SPLIT=1 also times the settling tick's parts apart before it (the query, the leaves, the tree).
// Prints ms per kind, then `BENCH dapp.worst_input_ms <ms> ms (<kind>)`.

import { createHash } from "node:crypto";
import { cpus, loadavg } from "node:os";
import * as tiny from "tiny-secp256k1";
import * as bounds from "@lcore/protocol/bounds";
const { MAX_BATCH_RECORDS, MAX_METADATA_LENGTH } = bounds;
import { encodeBountyRefundClaim, encodeBountySolution, encodeBountySpec } from "@lcore/protocol/bounty";
import { fromHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration, encodeDeviceRevocation, encodeKeyRotation } from "@lcore/protocol/deviceInputs";
import {
  deviceAddress,
  encodeReadingBody,
  readingDigest,
  registrationProofDigest,
  rotationProofDigest,
} from "@lcore/protocol/deviceMessage";
import { encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { DEVICE_SUMMARY_PREIMAGE_LENGTH } from "@lcore/protocol/deviceSummaries";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { packedTreeRoot } from "@lcore/protocol/packedTreeRoot";
import { sealReading } from "@lcore/protocol/sealing";
import { SETTLEMENT_PERIOD_SECONDS, encodeSettlementTick } from "@lcore/protocol/settlement";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import { ETHER_ASSET, encodeEtherDeposit, encodeWalletTransfer, encodeWithdrawal } from "@lcore/protocol/wallet";
import { keccak256Each, sha256 } from "@lcore/wasm-core";
import { Dapp, packedPeriodDeviceSummaries, prunePendingRecords, pruneState } from "@lcore/dapp";

const DEVICES = Number(process.env.DEVICES ?? 100_000);
const BALANCES = Number(process.env.BALANCES ?? 100_000);
const GRANTS = Number(process.env.GRANTS ?? 100_000);
const SMALL_TABLE = 1_000; // rows when the small-table deposit and grant are timed
const DAY_RECORDS = Number(process.env.DAY_RECORDS ?? bounds.MAX_DEVICE_DAY_RECORDS);
const CHAIN_ID = 31337n;
const APP = "0xab7528bb862fb57e8a2bcd567a2e929a0be56a5e";
const OWNER = "0x00000000000000000000000000000000000000a1";
const GATEWAY = "0x00000000000000000000000000000000000000c3";
const ETHER_PORTAL = "0xa632c5c05812c6a6149b7af5c56117d1d2603828";
const DAY = 86_400;
// The start of a UTC day that is also the start of a settlement period.
const T0 = 1_763_000_000 - (1_763_000_000 % DAY);
const PERIOD_KEY = new Uint8Array(32).fill(7);

const sha = (s) => new Uint8Array(createHash("sha256").update(s).digest());
const hex = (b) => `0x${Buffer.from(b).toString("hex")}`;
let inputIndex = 0;
let now = T0;
const metadata = (sender) => ({
  chain_id: 31337,
  app_contract: APP,
  msg_sender: sender,
  block_number: 100 + inputIndex,
  block_timestamp: now,
  prev_randao: `0x${"00".repeat(32)}`,
  input_index: inputIndex++,
});

const dapp = await Dapp.create();
const advance = (sender, payload) => dapp.advance(metadata(sender), payload);
const accept = (what, r) => {
  if (r.status !== "accept")
    throw new Error(`${what}: ${r.status} ${r.outputs.map((o) => Buffer.from(o.payload).toString()).join(" ")}`);
  return r;
};
const worst = new Map(); // kind → { ms (wall), cpuMs (this process's CPU, which other processes on the cores do not stretch) }
const timed = (kind, sender, payload) => {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const r = advance(sender, payload);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const used = process.cpuUsage(c);
  accept(kind, r);
  if (!(worst.get(kind)?.ms >= ms)) worst.set(kind, { ms, cpuMs: (used.user + used.system) / 1000 });
  return r;
};
const log = (line) => console.log(line);

// Devices: one proof digest for all (it binds chain, app and owner), one key each.
const setup0 = process.hrtime.bigint();
const proofDigest = registrationProofDigest(CHAIN_ID, fromHex(APP), fromHex(OWNER));
const devices = [];
const deviceMetadata = new Uint8Array(MAX_METADATA_LENGTH).fill(0x6d);
const register = (i, time) => {
  const secret = sha(`worst device ${i}`);
  const publicKey = tiny.pointFromScalar(secret, false).slice(1);
  const d = { secret, publicKey, address: deviceAddress(publicKey), seq: 0n, nonce: 0n };
  const payload = encodeDeviceRegistration({
    publicKey,
    proof: tiny.sign(proofDigest, secret),
    metadata: deviceMetadata,
    auth: { kind: "sender" },
  });
  if (time) timed("0x01 registration", OWNER, payload);
  else accept("registration", advance(OWNER, payload));
  devices.push(d);
};
for (let i = 0; i < DEVICES; i++) register(i, false);
log(`${DEVICES} devices registered (${(Number(process.hrtime.bigint() - setup0) / 1e9).toFixed(0)} s)`);

// Submitters at their bound: 14 here, the gateway the 15th, the 16th timed below.
for (let i = 0; i < 14; i++)
  accept(
    "grant",
    advance(OWNER, encodeSubmitterGrant({ allowed: true, submitter: sha(`submitter ${i}`).slice(0, 20) })),
  );
const gatewayGrant = encodeSubmitterGrant({ allowed: true, submitter: fromHex(GATEWAY) });

// Balance rows: one Ether deposit from each of BALANCES accounts, each creating its row.
const account = (i) => sha(`account ${i}`).slice(0, 20);
const balances0 = process.hrtime.bigint();
for (let i = 0; i < BALANCES; i++) {
  const payload = encodeEtherDeposit({ sender: account(i), value: 1_000_000n });
  if (i === SMALL_TABLE) timed(`Ether deposit (credit, new row; ${SMALL_TABLE} balance rows)`, ETHER_PORTAL, payload);
  else accept("deposit", advance(ETHER_PORTAL, payload));
}
log(`${BALANCES} balance rows (${(Number(process.hrtime.bigint() - balances0) / 1e9).toFixed(0)} s)`);

// Other owners' grants: 16 each (their bound), GRANTS in all.
const grants0 = process.hrtime.bigint();
for (let i = 0; i < GRANTS; i++) {
  const grantOwner = hex(sha(`grant owner ${Math.floor(i / 16)}`).slice(0, 20));
  const payload = encodeSubmitterGrant({ allowed: true, submitter: sha(`grantee ${i % 16}`).slice(0, 20) });
  if (i === SMALL_TABLE) timed(`0x05 submitter grant (${SMALL_TABLE} grants)`, grantOwner, payload);
  else accept("grant", advance(grantOwner, payload));
}
log(`${GRANTS} grants of other owners (${(Number(process.hrtime.bigint() - grants0) / 1e9).toFixed(0)} s)`);

/** A record of device d at time t, its body sealed with PERIOD_KEY (so the day can be disclosed), 58 bytes sealed. */
function record(d, t) {
  d.seq += 1n;
  const body = encodeReadingBody({ nonce: sha(`${d.seq}`).slice(0, 16), value: d.seq, payload: new Uint8Array(0) });
  const header = { device: d.address, seq: d.seq, timestamp: BigInt(t), bodyHash: sha256(body) };
  const digest = readingDigest(header);
  const sealed = sealReading({ periodKey: PERIOD_KEY, app: fromHex(APP), device: d.address, seq: d.seq, digest, body });
  return { ...header, signature: tiny.sign(digest, d.secret), sealed };
}

// One device-day: DAY_RECORDS records of device 0, all in the first settlement period.
now = T0 + 60;
accept("grant", advance(OWNER, gatewayGrant));
const day0 = devices[0];
for (let done = 0; done < DAY_RECORDS; ) {
  const n = Math.min(MAX_BATCH_RECORDS, DAY_RECORDS - done);
  const recs = Array.from({ length: n }, (_, i) => record(day0, T0 + Math.floor(((done + i) * 3000) / DAY_RECORDS)));
  accept("day batch", advance(GATEWAY, encodeRecordBatch(recs)));
  done += n;
}
log(
  `device-day of ${DAY_RECORDS} records in the open period (setup ${(Number(process.hrtime.bigint() - setup0) / 1e9).toFixed(0)} s)`,
);

// The timed inputs, each of its kind at its worst here.
register(DEVICES, true);
register(DEVICES + 1, true);
const wide = Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => record(devices[1 + i], now));
timed("0x04 record batch (339 records, 339 devices)", GATEWAY, encodeRecordBatch(wide));
const wide2 = Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => record(devices[1 + i], now));
timed("0x04 record batch (339 records, 339 devices)", GATEWAY, encodeRecordBatch(wide2));
timed(
  `0x05 submitter grant (16th; ${GRANTS + 15} grants before)`,
  OWNER,
  encodeSubmitterGrant({ allowed: true, submitter: sha("16").slice(0, 20) }),
);
/** A rotation of d's key (owner-sent); d signs with the new key from then on. */
function rotation(d) {
  const secret = sha(`${hex(d.address)} rotated ${d.nonce}`);
  const newPublicKey = tiny.pointFromScalar(secret, false).slice(1);
  const proof = tiny.sign(rotationProofDigest(CHAIN_ID, fromHex(APP), d.address, d.nonce), secret);
  d.nonce += 1n;
  d.secret = secret;
  d.publicKey = newPublicKey;
  return encodeKeyRotation({ device: d.address, newPublicKey, proof, auth: { kind: "sender" } });
}
for (const i of [5, 6]) timed("0x02 key rotation", OWNER, rotation(devices[i]));
for (const i of [8, 9])
  timed("0x03 revocation", OWNER, encodeDeviceRevocation({ device: devices[i].address, auth: { kind: "sender" } }));
timed("Ether deposit (credit)", ETHER_PORTAL, encodeEtherDeposit({ sender: account(0), value: 5n }));
timed(
  `Ether deposit (credit, new row; ${BALANCES} balance rows)`,
  ETHER_PORTAL,
  encodeEtherDeposit({ sender: account(BALANCES), value: 5n }),
);
const to = account(BALANCES + 1);
timed("0x20 transfer", hex(account(1)), encodeWalletTransfer({ asset: ETHER_ASSET, to, amount: 3n }));
timed("0x21 withdrawal", hex(account(2)), encodeWithdrawal({ asset: ETHER_ASSET, amount: 4n }));
// A bounty: 12 elements (tier 1), target the sum of the first three.
const elements = Array.from({ length: 12 }, (_, i) => BigInt(1000 + i * 37));
const problem = { tier: 1, elements, target: elements[0] + elements[1] + elements[2] };
const deadline = BigInt(now + 600);
const spec = encodeBountySpec({ mode: "explicit", deadline, problem });
timed(
  "Ether deposit (bounty opening)",
  ETHER_PORTAL,
  encodeEtherDeposit({ sender: account(3), value: 9n, execLayerData: spec }),
);
timed(
  "Ether deposit (bounty opening)",
  ETHER_PORTAL,
  encodeEtherDeposit({ sender: account(3), value: 9n, execLayerData: spec }),
);
const bounties = dapp.store.sql.one("SELECT max(id) FROM bounties", [])[0];
timed(
  "0x30 bounty solution",
  hex(account(4)),
  encodeBountySolution({ bountyId: BigInt(bounties), indices: [0, 1, 2] }),
);
now = Number(deadline) + 1; // still in the first settlement period (3600 s): nothing settles yet
timed("0x31 bounty refund", hex(account(5)), encodeBountyRefundClaim({ bountyId: BigInt(bounties) - 1n }));

// The tick that settles the period holding the device-day, then that day's disclosure.
now = T0 + Number(SETTLEMENT_PERIOD_SECONDS) + 1;
timed(`0x10 tick settling a period of ${DAY_RECORDS + 2 * MAX_BATCH_RECORDS} records`, OWNER, encodeSettlementTick());
timed(
  `0x11 disclosure of a device-day of ${DAY_RECORDS} records`,
  OWNER,
  encodeKeyDisclosure({ device: day0.address, period: T0 / DAY, periodKey: PERIOD_KEY, voucher: true }),
);

// Settling and pruning (PROTOCOL §9.1, §11). One period of PRUNE_RECORDS records (default
// 100,000; 0 skips this part) spread over every device that can still send (100,000 with the
// defaults: the settling tick's devicesRoot at its widest), settled by a timed tick; then one
// small period after another until a settling tick prunes it (> PRUNE_KEEP_SETTLED_PERIODS
// kept). That tick only moves the prune point; the rows go PRUNE_STEP_RECORDS at the end of
// each accepted input, so the batches that follow (339 records from 339 devices, the worst
// batch) are timed with their prune step until the backlog is gone. Records are signed but
// not sealed for disclosure (cheaper to make).
const PRUNE_RECORDS = Number(process.env.PRUNE_RECORDS ?? 100_000);
if (PRUNE_RECORDS > 0) {
  register(DEVICES + 2, false); // with the 2 timed ones, every device but the 3 below can send
  // Not device 0 (its day is at the cap) nor the revoked 8 and 9.
  const senders = devices.filter((_, i) => i !== 0 && i !== 8 && i !== 9);
  const sealed = new Uint8Array(58).fill(0x5a);
  const quick = (d, t) => {
    d.seq += 1n;
    const header = { device: d.address, seq: d.seq, timestamp: BigInt(t), bodyHash: sha(`p${d.seq}`) };
    return { ...header, signature: tiny.sign(readingDigest(header), d.secret), sealed };
  };
  const hour = Number(SETTLEMENT_PERIOD_SECONDS);
  const periodAt = (k) => T0 + k * hour + 10;
  now = periodAt(2);
  for (let done = 0; done < PRUNE_RECORDS; ) {
    const n = Math.min(MAX_BATCH_RECORDS, PRUNE_RECORDS - done);
    // Device after device, so the period has min(PRUNE_RECORDS, senders) devices and no device-day reaches its cap.
    const recs = Array.from({ length: n }, (_, i) => quick(senders[(done + i) % senders.length], now));
    accept("prune batch", advance(GATEWAY, encodeRecordBatch(recs)));
    done += n;
  }
  const periodDevices = Math.min(PRUNE_RECORDS, senders.length);
  log(`a period of ${PRUNE_RECORDS} records from ${periodDevices} devices`);
  // Every later period gets one batch, whose input settles the one before, until the big one is the
  // oldest of more than PRUNE_KEEP_SETTLED_PERIODS.
  // Where the settling tick's time goes with this many devices: the summaries' query, the leaves, the
  // tree. Only with SPLIT=1: run first, it warms what the tick then uses (sql.js's heap grown for the
  // packed query, keccak256Each compiled), so the timed tick would no longer be a cold one.
  if (process.env.SPLIT === "1") splitSettlement(dapp);
  let k = 3;
  now = periodAt(k);
  // Past PRUNE_KEEP_RECORDS the rule prunes the period at its own settlement: this tick moves the point too.
  const prunedAtOnce = BigInt(PRUNE_RECORDS) > bounds.PRUNE_KEEP_RECORDS ? " (and pruning it)" : "";
  timed(
    `0x10 tick settling a period of ${PRUNE_RECORDS} records, ${periodDevices} devices${prunedAtOnce}`,
    OWNER,
    encodeSettlementTick(),
  );
  for (; k < 3 + bounds.PRUNE_KEEP_SETTLED_PERIODS; k++) {
    now = periodAt(k);
    accept("small batch", advance(GATEWAY, encodeRecordBatch([quick(senders[0], now)])));
  }
  now = periodAt(k);
  const rows = () => dapp.store.sql.one("SELECT count(*) FROM records", [])[0];
  const pending = () => prunePendingRecords(dapp.store);
  const before = rows();
  const pointBefore = pruneState(dapp.store).prunedThrough;
  timed(
    prunedAtOnce === ""
      ? `0x10 tick settling and pruning a period of ${PRUNE_RECORDS} records`
      : "0x10 tick settling a 1-record period",
    OWNER,
    encodeSettlementTick(),
  );
  log(
    `the pruning tick moved the prune point over ${pruneState(dapp.store).prunedThrough - pointBefore} records and deleted ${before - rows()}; ${pending()} left for the steps`,
  );
  const stepKind = `0x04 record batch (339 records, 339 devices) + prune step`;
  let inputs = 0;
  for (let next = 0; pending() > 0n; inputs++) {
    const recs = Array.from({ length: MAX_BATCH_RECORDS }, () => quick(senders[next++ % senders.length], now));
    timed(stepKind, GATEWAY, encodeRecordBatch(recs));
    // A cheap kind carries a whole step too.
    if (inputs === 1) {
      const d = senders[next++ % senders.length];
      timed("0x02 key rotation + prune step", OWNER, rotation(d));
    }
  }
  log(`${inputs} batches with a prune step drained the backlog (PRUNE_STEP_RECORDS ${bounds.PRUNE_STEP_RECORDS})`);
}

console.log(
  `\nworst input per kind, ${DEVICES} devices, ${BALANCES} balance rows, ${GRANTS + 16} grants, a device-day of ${DAY_RECORDS} records (in-process, host Node ${process.version}, ${cpus()[0]?.model ?? "cpu"}):`,
);
const ranked = [...worst].sort((a, b) => b[1].ms - a[1].ms);
console.log(`  ${"kind".padEnd(56)} ${"wall ms".padStart(9)} ${"CPU ms".padStart(9)}`);
for (const [kind, { ms, cpuMs }] of ranked)
  console.log(`  ${kind.padEnd(56)} ${ms.toFixed(1).padStart(9)} ${cpuMs.toFixed(1).padStart(9)}`);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(`BENCH dapp.worst_input_ms ${ranked[0][1].ms.toFixed(1)} ms (${ranked[0][0]})`);
const byCpu = [...worst].sort((a, b) => b[1].cpuMs - a[1].cpuMs)[0];
console.log(`BENCH dapp.worst_input_cpu_ms ${byCpu[1].cpuMs.toFixed(1)} ms (${byCpu[0]})`);

/** The settling tick's three parts, apart, on the open period (SPLIT=1). */
function splitSettlement(dapp) {
  const ms = (t) => (Number(process.hrtime.bigint() - t) / 1e6).toFixed(1);
  const open = dapp.store.sql.one("SELECT open_period FROM settlement_state", [])[0];
  let t = process.hrtime.bigint();
  const packed = packedPeriodDeviceSummaries(dapp.store, BigInt(open));
  const queryMs = ms(t);
  t = process.hrtime.bigint();
  const leaves = keccak256Each(packed, DEVICE_SUMMARY_PREIMAGE_LENGTH);
  const leavesMs = ms(t);
  t = process.hrtime.bigint();
  packedTreeRoot(leaves);
  log(
    `settling ${leaves.length / 32} device summaries, apart: packed query ${queryMs} ms, ${leaves.length / 32} leaf hashes ${leavesMs} ms, tree ${ms(t)} ms`,
  );
}
