#!/usr/bin/env node
// `npm run bench -w cli`: a validator's replay (`lcore replay`'s library: @lcore/devnet/replay
// with lcore's checks) of a chain of RECORDS records (default 100,000) in batches of BATCH
// (default 100) from DEVICES devices (default 100), built in memory: the inputs the InputBox
// would hold (registrations, the owner's grant of its gateway, the batches), block time moving
// SETTLE_EVERY records per settlement period (default 10,000) so periods settle along the way.
// The dApp is dapp/dist/main.js on this machine's Node with the native verifier required
// (LCORE_REQUIRE_NATIVE=1; VERIFIER=wasm sets LCORE_DISABLE_NATIVE=1 instead), as `lcore replay
// --dapp "node dapp/dist/main.js"` runs it. Every notice's state hash is checked against the
// replayed state as lcore replay does; a divergence fails the bench. Signing happens before the
// clock starts. Last line: `BENCH replay.records_per_s`.

import { createHash } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import * as tiny from "tiny-secp256k1";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import { deviceAddress, readingDigest, registrationProofDigest } from "@lcore/protocol/deviceMessage";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { SETTLEMENT_PERIOD_SECONDS } from "@lcore/protocol/settlement";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import { formatDivergence } from "@lcore/devnet/replay";
import { lcoreReplay } from "@lcore/cli";

const RECORDS = Number(process.env.RECORDS ?? 100_000);
const BATCH = Number(process.env.BATCH ?? 100);
const DEVICES = Number(process.env.DEVICES ?? 100);
const SETTLE_EVERY = Number(process.env.SETTLE_EVERY ?? 10_000);
const WASM = process.env.VERIFIER === "wasm";
const APP = "0xab7528bb862fb57e8a2bcd567a2e929a0be56a5e";
const OWNER = "0x00000000000000000000000000000000000000a1";
const GATEWAY = "0x00000000000000000000000000000000000000c3";
const T0 = 1_763_000_000 - (1_763_000_000 % Number(SETTLEMENT_PERIOD_SECONDS));
const MAIN = fileURLToPath(new URL("../../dapp/dist/main.js", import.meta.url));

// The spawned dApp inherits this process's environment.
if (WASM) process.env.LCORE_DISABLE_NATIVE = "1";
else process.env.LCORE_REQUIRE_NATIVE = "1";

const sha = (s) => new Uint8Array(createHash("sha256").update(s).digest());
const inputs = [];
const input = (sender, timestamp, payload) =>
  inputs.push({
    index: inputs.length,
    chainId: 31337,
    msgSender: sender,
    blockNumber: 100 + inputs.length,
    blockTimestamp: timestamp,
    prevRandao: `0x${"00".repeat(32)}`,
    payload: toHex(payload),
  });

const built = process.hrtime.bigint();
const devices = Array.from({ length: DEVICES }, (_, i) => {
  const secret = sha(`replay bench device ${i}`);
  const publicKey = tiny.pointFromScalar(secret, false).slice(1);
  return { secret, publicKey, address: deviceAddress(publicKey), seq: 0n };
});
const proofDigest = registrationProofDigest(31337n, fromHex(APP), fromHex(OWNER));
for (const d of devices) {
  const proof = tiny.sign(proofDigest, d.secret);
  input(
    OWNER,
    T0,
    encodeDeviceRegistration({ publicKey: d.publicKey, proof, metadata: new Uint8Array(0), auth: { kind: "sender" } }),
  );
}
input(OWNER, T0, encodeSubmitterGrant({ allowed: true, submitter: fromHex(GATEWAY) }));
const sealed = new Uint8Array(26 + 16 + 32).fill(0x5a); // 208-byte records, as npm run bench -w dapp
for (let done = 0; done < RECORDS; done += BATCH) {
  const at = T0 + Math.floor((done * Number(SETTLEMENT_PERIOD_SECONDS)) / SETTLE_EVERY);
  const records = Array.from({ length: Math.min(BATCH, RECORDS - done) }, (_, i) => {
    const d = devices[(done + i) % DEVICES];
    d.seq += 1n;
    const header = { device: d.address, seq: d.seq, timestamp: BigInt(at - 30), bodyHash: sha(`${done + i}`) };
    return { ...header, signature: tiny.sign(readingDigest(header), d.secret), sealed };
  });
  input(GATEWAY, at, encodeRecordBatch(records));
}
const last = inputs[inputs.length - 1];
console.log(
  `chain: ${inputs.length} inputs (${DEVICES} registrations, a grant, ${Math.ceil(RECORDS / BATCH)} batches of ${BATCH} records of 208 bytes), ` +
    `${Math.round((last.blockTimestamp - T0) / Number(SETTLEMENT_PERIOD_SECONDS))} settlement periods; built and signed in ${(Number(process.hrtime.bigint() - built) / 1e9).toFixed(1)} s`,
);

const report = await lcoreReplay({
  rpcUrl: "",
  application: APP,
  dapp: [process.execPath, MAIN],
  history: { inputBox: APP, validator: APP, fromBlock: 0, latestBlock: last.blockNumber, inputs, claims: [] },
  progress: () => {},
});
console.log(
  `replayed ${report.inputs} inputs, ${report.outputs} outputs, ${report.records} records, ${report.stateHashesChecked} state hashes checked ` +
    `in ${report.replaySeconds.toFixed(1)} s: ${Math.round(report.recordsPerSecond)} records/s, ${Math.round(report.inputsPerSecond)} inputs/s ` +
    `(dApp ${MAIN} on Node ${process.version}, ${WASM ? "WASM" : "native"} verifier, ${cpus()[0]?.model ?? "cpu"})`,
);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
if (report.divergences.length > 0 || report.records !== RECORDS) {
  for (const d of report.divergences) console.error(formatDivergence(d));
  console.error(
    `replay failed: ${report.divergences.length} divergences, ${report.records} of ${RECORDS} records accepted`,
  );
  process.exit(1);
}
console.log(`BENCH replay.records_per_s ${Math.round(report.recordsPerSecond)} records/s`);
