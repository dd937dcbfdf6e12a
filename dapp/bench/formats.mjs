#!/usr/bin/env node
// What a record of each device format (PROTOCOL §12) costs the dApp: record batches of 100
// records of one device, through Dapp.advance as the node drives it (decode, lookups, the
// signature check, storage, the fold, the notice). lcore (secp256k1 over SHA-256(M)), ioID-SDK
// (secp256k1 over h2: the same curve, the digest taken from the record), JWS ES256 (P-256 in
// @noble/curves, pure JS). `node dapp/bench/formats.mjs` (after `npm run build -w dapp`);
// prints per-record µs and, last, the BENCH lines:
//   BENCH dapp.formats.<lcore|ioid|jws>.records_per_s <records/s> records/s
import { createHash } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { Dapp } from "@lcore/dapp";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import { DeviceFormat, encodeFormatRegistration, p256DeviceAddress } from "@lcore/protocol/deviceFormats";
import {
  deviceAddress,
  encodeReadingBody,
  readingDigest,
  registrationProofDigest,
} from "@lcore/protocol/deviceMessage";
import { ioidDigest } from "@lcore/protocol/ioidMessage";
import { base64UrlEncode } from "@lcore/protocol/jwsMessage";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";

const APP = "0xab7528bb862fb57e8a2bcd567a2e929a0be56a5e";
const OWNER = "0x00000000000000000000000000000000000000aa";
const T0 = 1_763_000_000;
const BATCHES = Number(process.env.BATCHES ?? 6);
const PER = 100;
const sha = (b) => new Uint8Array(createHash("sha256").update(b).digest());
const hex = (b) => Buffer.from(b).toString("hex");
const appBytes = Buffer.from(APP.slice(2), "hex");
const sealed = (n) => new Uint8Array(n + 32).fill(5); // the dApp does not open records when it accepts them

function meta(i) {
  return {
    chain_id: 31337,
    app_contract: APP,
    msg_sender: OWNER,
    block_number: 100 + i,
    block_timestamp: T0 + i,
    prev_randao: `0x${"00".repeat(32)}`,
    input_index: i,
  };
}

const proofDigest = registrationProofDigest(31337n, appBytes, Buffer.from(OWNER.slice(2), "hex"));
const formats = {
  lcore() {
    const sk = sha("bench lcore");
    const pk = secp256k1.getPublicKey(sk, false).slice(1);
    const device = deviceAddress(pk);
    const reg = encodeDeviceRegistration({
      publicKey: pk,
      proof: secp256k1.sign(proofDigest, sk, { prehash: false }),
      metadata: new Uint8Array(0),
      auth: { kind: "sender" },
    });
    const record = (seq) => {
      const body = encodeReadingBody({ nonce: sha(`n${seq}`).slice(0, 16), value: seq, payload: new Uint8Array(64) });
      const h = { device, seq, timestamp: BigInt(T0 - 600) + seq, bodyHash: sha(body) };
      return { ...h, signature: secp256k1.sign(readingDigest(h), sk, { prehash: false }), sealed: sealed(body.length) };
    };
    return { reg, record };
  },
  ioid() {
    const sk = sha("bench ioid");
    const pk = secp256k1.getPublicKey(sk, false).slice(1);
    const device = deviceAddress(pk);
    const reg = encodeFormatRegistration({
      format: DeviceFormat.IoidSdk,
      publicKey: pk,
      proof: secp256k1.sign(proofDigest, sk, { prehash: false }),
      scale: 0,
      valueField: "",
      metadata: new Uint8Array(0),
      auth: { kind: "sender" },
    });
    const record = (seq) => {
      const t = BigInt(T0 - 100_000) + seq;
      const unsigned = `{"nonce":${seq},"projectID":"bench","payload":{"timestamp":${t},"value":${seq},"publicKey":"0x04${hex(pk)}"}}`;
      const digest = ioidDigest(Buffer.from(unsigned), t, seq);
      const signature = secp256k1.sign(digest, sk, { prehash: false });
      return { device, seq: t, timestamp: t, bodyHash: digest, signature, sealed: sealed(unsigned.length) };
    };
    return { reg, record };
  },
  jws() {
    const sk = sha("bench jws");
    const pk = p256.getPublicKey(sk, false).slice(1);
    const device = p256DeviceAddress(pk);
    const reg = encodeFormatRegistration({
      format: DeviceFormat.JwsEs256,
      publicKey: pk,
      proof: new Uint8Array(0),
      scale: 1,
      valueField: "temperature",
      metadata: new Uint8Array(0),
      auth: { kind: "sender" },
    });
    const header = base64UrlEncode(Buffer.from('{"alg":"ES256","typ":"JWT"}'));
    const record = (seq) => {
      const t = BigInt(T0 - 100_000) + seq;
      const input = `${header}.${base64UrlEncode(Buffer.from(`{"temperature":21.5,"iat":${t}}`))}`;
      const digest = sha(input);
      const signature = p256.sign(digest, sk, { prehash: false });
      return { device, seq: t, timestamp: t, bodyHash: digest, signature, sealed: sealed(input.length) };
    };
    return { reg, record };
  },
};

const results = {};
for (const [name, make] of Object.entries(formats)) {
  const dapp = await Dapp.create();
  const { reg, record } = make();
  let index = 0;
  const r = dapp.advance(meta(index++), reg);
  if (r.status !== "accept") throw new Error(`${name}: registration refused`);
  let seq = 1n;
  const batches = [];
  for (let b = 0; b < BATCHES; b++) batches.push(encodeRecordBatch(Array.from({ length: PER }, () => record(seq++))));
  let best = Infinity;
  for (const batch of batches) {
    const t0 = process.hrtime.bigint();
    const out = dapp.advance(meta(index++), batch);
    const us = Number(process.hrtime.bigint() - t0) / 1000 / PER;
    if (out.status !== "accept" || out.outputs.some((o) => o.type === "report"))
      throw new Error(`${name}: batch refused`);
    best = Math.min(best, us);
  }
  results[name] = best;
  console.log(`${name.padEnd(6)} ${best.toFixed(1)} µs/record (best of ${BATCHES} batches of ${PER})`);
}
for (const [name, us] of Object.entries(results))
  console.log(`BENCH dapp.formats.${name}.records_per_s ${Math.round(1e6 / us)} records/s`);
