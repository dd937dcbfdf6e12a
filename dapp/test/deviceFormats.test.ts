// Devices as they ship (issue 28): ioID-SDK (secp256k1 over h2) and lcore-device-sdk (JWS
// ES256, P-256) devices registered with 0x06, their records verified from public data,
// their disclosures recomputing the digest from the opened bytes. Requests come from the
// simulated firmware in protocol/test/firmware.ts.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { DeviceFormat, encodeFormatRegistration, p256DeviceAddress } from "@lcore/protocol/deviceFormats";
import { deviceAddress, periodOf, registrationProofDigest } from "@lcore/protocol/deviceMessage";
import { encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { parseIoidMessage, splitIoidRequest } from "@lcore/protocol/ioidMessage";
import { splitCompactJws } from "@lcore/protocol/jwsMessage";
import { type WireRecord, encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { PRUNE_KEEP_SETTLED_PERIODS } from "@lcore/protocol/bounds";
import { encodePrunedDisclosure } from "@lcore/protocol/prunedDisclosure";
import { recordsProof } from "@lcore/protocol/recordsTree";
import { encodeSettlementTick } from "@lcore/protocol/settlement";
import { derivePeriodKey, sealReading } from "@lcore/protocol/sealing";
import { verifyP256Digest } from "../src/crypto/p256.js";
import { APP, CHAIN_ID, T0, notices, reports, rotation, testDapp, testDevice } from "./helpers.js";
import { es256Jws, ioidDevice, ioidRequest, sdkDevice } from "../../protocol/test/firmware.js";

const OWNER = "0x00000000000000000000000000000000000000aa" as const;
const master = new Uint8Array(32).fill(9);
const app = fromHex(APP);
const sha256 = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());
const N = secp256k1.Point.CURVE().n;

function lowS(sig: Uint8Array): Uint8Array {
  const s = BigInt(toHex(sig.subarray(32)));
  if (s <= N >> 1n) return sig;
  const out = sig.slice();
  out.set(fromHex(`0x${(N - s).toString(16).padStart(64, "0")}`), 32);
  return out;
}

/** A format record as the gateway builds it: seq = time, bodyHash = the signed digest, sealed = the exact signed bytes. */
function formatRecord(device: Uint8Array, time: bigint, digest: Uint8Array, signature: Uint8Array, body: Uint8Array) {
  const periodKey = derivePeriodKey(master, app, device, periodOf(time));
  const sealed = sealReading({ periodKey, app, device, seq: time, digest, body });
  return { device, seq: time, timestamp: time, bodyHash: digest, signature, sealed } satisfies WireRecord;
}

function ioidReading(dev: ReturnType<typeof ioidDevice>, timestamp: number, value: number, highS: boolean) {
  const { unsigned, signature } = splitIoidRequest(
    ioidRequest(dev, { nonce: 0x9abcdef0, projectId: "delen-test", timestamp, value, highS }),
  );
  const m = parseIoidMessage(unsigned);
  return formatRecord(deviceAddress(dev.publicKey), m.timestamp, m.digest, lowS(signature), unsigned);
}

describe("P-256 verification agrees with Wycheproof (ecdsa_secp256r1_sha256_p1363)", () => {
  const file = JSON.parse(
    readFileSync(new URL("./vectors/ecdsa_secp256r1_sha256_p1363_test.json", import.meta.url), "utf8"),
  );
  const cases = file.testGroups.flatMap((g: any) =>
    g.tests.map((t: any) => ({
      tcId: t.tcId as number,
      key: fromHex(`0x${g.publicKey.uncompressed}`).subarray(1),
      digest: sha256(fromHex(`0x${t.msg}`)),
      sig: fromHex(`0x${t.sig}`),
      valid: t.result === "valid",
      result: t.result as string,
    })),
  );

  it("accepts exactly the valid vectors (any s), and with the record rule exactly those with s ≤ n/2", () => {
    expect(cases).toHaveLength(file.numberOfTests);
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const wrong = cases.filter(
      (c: any) => c.result !== "acceptable" && verifyP256Digest(c.digest, c.key, c.sig, false) !== c.valid,
    );
    expect(wrong.map((c: any) => c.tcId)).toEqual([]);
    const highS = (c: any) => c.sig.length === 64 && BigInt(toHex(c.sig.subarray(32))) > n >> 1n;
    const strict = cases.filter((c: any) => verifyP256Digest(c.digest, c.key, c.sig, true));
    expect(strict.map((c: any) => c.tcId)).toEqual(
      cases.filter((c: any) => c.valid && !highS(c)).map((c: any) => c.tcId),
    );
    expect(cases.filter((c: any) => c.valid && highS(c)).length).toBeGreaterThan(0);
  });
});

describe("ioID-SDK devices (format 1)", () => {
  const dev = ioidDevice("solar 1");
  const address = deviceAddress(dev.publicKey);
  const proofDigest = registrationProofDigest(BigInt(CHAIN_ID), app, fromHex(OWNER));
  const registration = (proof: Uint8Array) =>
    encodeFormatRegistration({
      format: DeviceFormat.IoidSdk,
      publicKey: dev.publicKey,
      proof,
      scale: 0,
      valueField: "",
      metadata: new Uint8Array(0),
      auth: { kind: "sender" },
    });

  it("registers with the device's proof in its low-s form, verifies h2 records, and discloses payload.value", async () => {
    const { advance } = await testDapp();
    const low = lowS(secp256k1.sign(proofDigest, dev.secretKey, { prehash: false, lowS: false }));
    // The same signature with s → n − s, as a device without low-s normalisation may send it.
    const high = low.slice();
    high.set(fromHex(`0x${(N - BigInt(toHex(low.subarray(32)))).toString(16).padStart(64, "0")}`), 32);
    const refused = await advance(registration(high), { msg_sender: OWNER });
    expect(reports(refused).at(-1)?.reason).toBe("bad_device_proof");
    const ok = await advance(registration(low), { msg_sender: OWNER });
    expect(ok.status).toBe("accept");
    expect(notices(ok)[0]).toMatchObject({ kind: "format_registered", format: 1, device: address });

    const day = BigInt(T0) / 86_400n - 1n;
    const t = Number(day * 86_400n) + 100;
    const records = [
      ioidReading(dev, t, 120, true),
      ioidReading(dev, t + 60, 7, false),
      ioidReading(dev, t + 120, 300, true),
    ];
    const tampered = { ...records[2]!, bodyHash: records[2]!.bodyHash.slice() };
    tampered.bodyHash[0]! ^= 1;
    const bad = await advance(encodeRecordBatch([tampered]), { msg_sender: OWNER });
    expect(bad.status).toBe("reject");
    expect(reports(bad)[0]).toMatchObject({ type: "skipped", records: [{ reason: "bad_signature" }] });
    const moved = { ...records[0]!, seq: records[0]!.seq + 1n };
    const batch = await advance(encodeRecordBatch([moved, ...records]), { msg_sender: OWNER });
    expect(batch.status).toBe("accept");
    expect(reports(batch)[0]).toMatchObject({ type: "skipped", records: [{ index: 0, reason: "seq_not_time" }] });
    const replay = await advance(encodeRecordBatch([records[1]!]), { msg_sender: OWNER });
    expect(reports(replay)[0]).toMatchObject({ records: [{ reason: "seq_not_increasing" }] });

    const periodKey = derivePeriodKey(master, app, address, Number(day));
    const disclosed = await advance(
      encodeKeyDisclosure({ device: address, period: Number(day), periodKey, voucher: false }),
      {
        msg_sender: OWNER,
      },
    );
    expect(disclosed.status).toBe("accept");
    expect(notices(disclosed).at(-1)).toMatchObject({
      kind: "key_disclosed",
      count: 3n,
      sum: 427n,
      min: 7n,
      max: 300n,
    });
  });
});

describe("lcore-device-sdk devices (format 2, JWS ES256 on P-256)", () => {
  const dev = sdkDevice("meter 1");
  const address = p256DeviceAddress(dev.publicKey);
  const register = (valueField: string, scale: number) =>
    encodeFormatRegistration({
      format: DeviceFormat.JwsEs256,
      publicKey: dev.publicKey,
      proof: new Uint8Array(0),
      scale,
      valueField,
      metadata: new TextEncoder().encode(dev.did),
      auth: { kind: "sender" },
    });
  const reading = (payload: string, time: bigint) => {
    const { signingInput, signature } = splitCompactJws(es256Jws(dev, payload));
    const s = BigInt(toHex(signature.subarray(32)));
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const low = signature.slice();
    if (s > n >> 1n) low.set(fromHex(`0x${(n - s).toString(16).padStart(64, "0")}`), 32);
    return formatRecord(address, time, sha256(signingInput), low, signingInput);
  };

  it("verifies P-256 records, reads time from iat or an ISO timestamp, and discloses the named field × 10^scale", async () => {
    const { advance } = await testDapp();
    const reg = await advance(register("temperature", 1), { msg_sender: OWNER });
    expect(reg.status).toBe("accept");
    expect(notices(reg)[0]).toMatchObject({ kind: "format_registered", format: 2, device: address });
    expect(reports(await advance(register("temperature", 1), { msg_sender: OWNER })).at(-1)?.reason).toBe(
      "device_exists",
    );

    const day = BigInt(T0) / 86_400n - 1n;
    const t0 = day * 86_400n;
    const iso = new Date(Number(t0 + 3600n) * 1000).toISOString().replace(".000", "");
    const records = [
      reading(`{"temperature":23.4,"humidity":52,"iat":${t0 + 60n}}`, t0 + 60n),
      reading(`{"temperature":-1.5,"humidity":50,"timestamp":"${iso}"}`, t0 + 3600n),
    ];
    const batch = await advance(encodeRecordBatch(records), { msg_sender: OWNER });
    expect(batch.status).toBe("accept");
    const forged = { ...records[1]!, seq: t0 + 7200n, timestamp: t0 + 7200n, bodyHash: records[1]!.bodyHash.slice() };
    forged.bodyHash[31]! ^= 0x80;
    expect(reports(await advance(encodeRecordBatch([forged]), { msg_sender: OWNER }))[0]).toMatchObject({
      records: [{ reason: "bad_signature" }],
    });

    const periodKey = derivePeriodKey(master, app, address, Number(day));
    const disclosed = await advance(
      encodeKeyDisclosure({ device: address, period: Number(day), periodKey, voucher: false }),
      {
        msg_sender: OWNER,
      },
    );
    expect(disclosed.status).toBe("accept");
    expect(notices(disclosed).at(-1)).toMatchObject({ count: 2n, sum: 234n - 15n, min: -15n, max: 234n });
  });

  it("refuses a disclosure whose opened bytes carry another time than the record, and a rotation to secp256k1", async () => {
    const { advance } = await testDapp();
    await advance(register("temperature", 0), { msg_sender: OWNER });
    const day = BigInt(T0) / 86_400n - 1n;
    const t = day * 86_400n + 10n;
    // The signature is the device's, but the relayer stated another time than the one signed.
    const shifted = reading(`{"temperature":21,"iat":${t}}`, t + 5n);
    expect((await advance(encodeRecordBatch([shifted]), { msg_sender: OWNER })).status).toBe("accept");
    const periodKey = derivePeriodKey(master, app, address, Number(day));
    const refused = await advance(
      encodeKeyDisclosure({ device: address, period: Number(day), periodKey, voucher: false }),
      { msg_sender: OWNER },
    );
    expect(reports(refused).at(-1)).toMatchObject({ reason: "bad_reading_body", record: { seq: (t + 5n).toString() } });
    const rotated = await advance(rotation(address, testDevice("new"), 0n), { msg_sender: OWNER });
    expect(reports(rotated).at(-1)?.reason).toBe("key_type_mismatch");
  });
});

describe("format records are pruned and disclosed from the chain like any record (0x12)", () => {
  it("a JWS device's day, pruned after 24 settled periods, discloses with proofs and recomputed digests", async () => {
    const { advance } = await testDapp();
    const dev = sdkDevice("pruned");
    const address = p256DeviceAddress(dev.publicKey);
    const HOURS = PRUNE_KEEP_SETTLED_PERIODS + 4;
    const day = BigInt(T0) / 86_400n;
    const dayStart = day * 86_400n;
    const reg = encodeFormatRegistration({
      format: DeviceFormat.JwsEs256,
      publicKey: dev.publicKey,
      proof: new Uint8Array(0),
      scale: 0,
      valueField: "kwh",
      metadata: new Uint8Array(0),
      auth: { kind: "sender" },
    });
    expect((await advance(reg, { msg_sender: OWNER, block_timestamp: Number(dayStart) })).status).toBe("accept");
    const entries: { settlementPeriod: bigint; leafIndex: number; proof: Uint8Array[]; record: WireRecord }[] = [];
    let sum = 0n;
    let count = 0n;
    for (let h = 0n; h < BigInt(HOURS); h++) {
      const t = dayStart + h * 3600n + 9n;
      const { signingInput, signature } = splitCompactJws(es256Jws(dev, `{"kwh":${h * 5n},"iat":${t}}`));
      const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
      const s = BigInt(toHex(signature.subarray(32)));
      const low = signature.slice();
      if (s > n >> 1n) low.set(fromHex(`0x${(n - s).toString(16).padStart(64, "0")}`), 32);
      const rec = formatRecord(address, t, sha256(signingInput), low, signingInput);
      if (t < dayStart + 86_400n) {
        sum += h * 5n;
        count++;
      }
      const out = await advance(encodeRecordBatch([rec]), { msg_sender: OWNER, block_timestamp: Number(t) });
      expect(out.status).toBe("accept");
      entries.push({
        settlementPeriod: t / 3600n,
        leafIndex: 0,
        proof: recordsProof([recordHash(rec)], 0),
        record: rec,
      });
    }
    expect(
      (await advance(encodeSettlementTick(), { block_timestamp: Number(dayStart + BigInt(HOURS) * 3600n) })).status,
    ).toBe("accept");
    const periodKey = derivePeriodKey(master, app, address, Number(day));
    const from = { msg_sender: OWNER, block_timestamp: Number(dayStart + BigInt(HOURS) * 3600n + 60n) };
    const refused = await advance(
      encodeKeyDisclosure({ device: address, period: Number(day), periodKey, voucher: false }),
      from,
    );
    expect(reports(refused).at(-1)?.reason).toBe("period_pruned");
    const pruned = entries.slice(0, HOURS - PRUNE_KEEP_SETTLED_PERIODS);
    const disclosed = await advance(
      encodePrunedDisclosure({ device: address, period: Number(day), periodKey, voucher: false, entries: pruned }),
      from,
    );
    expect(disclosed.status).toBe("accept");
    expect(notices(disclosed).at(-1)).toMatchObject({ kind: "key_disclosed", count, sum });
  });
});

describe("inspect names a device's format", () => {
  it("device/<address> adds format, valueField and scale for a format device only", async () => {
    const { advance, inspect } = await testDapp();
    const dev = sdkDevice("inspect");
    const address = p256DeviceAddress(dev.publicKey);
    const reg = encodeFormatRegistration({
      format: DeviceFormat.JwsEs256,
      publicKey: dev.publicKey,
      proof: new Uint8Array(0),
      scale: 2,
      valueField: "t",
      metadata: new Uint8Array(0),
      auth: { kind: "sender" },
    });
    const out = await advance(reg, { msg_sender: OWNER });
    expect(inspect(`device/${toHex(address)}`).body).toMatchObject({ format: "jws-es256", valueField: "t", scale: 2 });
    expect(inspect("state-hash").body.stateHash).toBe(toHex(notices(out)[0]!.stateHash));
  });
});
