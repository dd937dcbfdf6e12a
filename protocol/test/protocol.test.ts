import { createHash } from "node:crypto";
import fc from "fast-check";
import { hashTypedData } from "viem";
import { publicKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  BATCH_HEADER_LENGTH,
  INPUT_MAX_SIZE,
  MAX_BATCH_RECORDS,
  MAX_METADATA_LENGTH,
  MAX_PAYLOAD_LENGTH,
  MAX_RECORD_LENGTH,
  MAX_SEALED_LENGTH,
  MIN_RECORD_LENGTH,
  MIN_SEALED_LENGTH,
  RECORD_FIXED_LENGTH,
  evmAdvanceLength,
} from "@lcore/protocol/bounds";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import {
  decodeReadingBody,
  deviceAddress,
  encodeReadingBody,
  readingDigest,
  readingMessage,
  periodOf,
} from "@lcore/protocol/deviceMessage";
import { DecodeError } from "@lcore/protocol/errors";
import { decodeInput } from "@lcore/protocol/input";
import { decodeNotice, encodeNotice } from "@lcore/protocol/notices";
import { PERMIT_TYPES, registerPermitDigest, revokePermitDigest, rotatePermitDigest } from "@lcore/protocol/permit";
import { encodeRecord, encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import {
  APP,
  CHAIN_ID,
  permitDomain,
  record,
  registration,
  revocation,
  rotation,
  testDevice,
  testOwner,
} from "./fixtures.js";

const reason = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e.reason;
    throw e;
  }
  return "decoded";
};

describe("bounds", () => {
  it("every payload up to MAX_PAYLOAD_LENGTH fits INPUT_MAX_SIZE as an EvmAdvance, and one byte more does not", () => {
    expect(evmAdvanceLength(0)).toBe(292);
    expect(evmAdvanceLength(1)).toBe(324);
    expect(evmAdvanceLength(32)).toBe(324);
    expect(evmAdvanceLength(MAX_PAYLOAD_LENGTH)).toBeLessThanOrEqual(INPUT_MAX_SIZE);
    expect(evmAdvanceLength(MAX_PAYLOAD_LENGTH + 1)).toBeGreaterThan(INPUT_MAX_SIZE);
  });

  it("records and batches have the documented sizes", () => {
    expect(RECORD_FIXED_LENGTH).toBe(134);
    expect([MIN_SEALED_LENGTH, MAX_SEALED_LENGTH, MIN_RECORD_LENGTH, MAX_RECORD_LENGTH]).toEqual([58, 1082, 192, 1216]);
    expect(MAX_BATCH_RECORDS).toBe(339);
    expect(BATCH_HEADER_LENGTH + MAX_BATCH_RECORDS * MIN_RECORD_LENGTH).toBeLessThanOrEqual(MAX_PAYLOAD_LENGTH);
    expect(BATCH_HEADER_LENGTH + (MAX_BATCH_RECORDS + 1) * MIN_RECORD_LENGTH).toBeGreaterThan(MAX_PAYLOAD_LENGTH);
  });

  it("the largest registration and a full batch of the smallest records are valid payloads", () => {
    const dev = testDevice("a");
    const big = registration(dev, testOwner("o").address, new Uint8Array(MAX_METADATA_LENGTH), {
      kind: "permit",
      deadline: 1n,
      signature: new Uint8Array(65),
    });
    expect(big.length).toBe(2 + 64 + 64 + 2 + MAX_METADATA_LENGTH + 1 + 8 + 65);
    expect(decodeInput(big).kind).toBe("device_registration");
    const smallest = record(dev, 1n, 0n, 0);
    expect(encodeRecord(smallest).length).toBe(MIN_RECORD_LENGTH);
    const full = encodeRecordBatch(Array.from({ length: MAX_BATCH_RECORDS }, () => smallest));
    expect(full.length).toBeLessThanOrEqual(MAX_PAYLOAD_LENGTH);
    expect(decodeInput(full).kind).toBe("record_batch");
  });
});

describe("device message (PROTOCOL §1)", () => {
  it("M is 'LCR1' || device || seq || timestamp || bodyHash and digest = SHA-256(M)", () => {
    const h = {
      device: fromHex(`0x${"11".repeat(20)}`),
      seq: 0x0102030405060708n,
      timestamp: 1700000000n,
      bodyHash: new Uint8Array(32).fill(0xee),
    };
    const m = readingMessage(h);
    expect(toHex(m)).toBe(`0x4c435231${"11".repeat(20)}0102030405060708${"000000006553f100"}${"ee".repeat(32)}`);
    expect(toHex(readingDigest(h))).toBe(`0x${createHash("sha256").update(m).digest("hex")}`);
  });

  it("a wire record starts with M minus its tag (the dApp hashes the payload bytes in place)", () => {
    const r = record(testDevice("a"), 5n);
    const wire = encodeRecord(r);
    expect(toHex(wire.subarray(0, 68))).toBe(toHex(readingMessage(r).subarray(4)));
  });

  it("deviceAddress is the Ethereum address of the key (viem publicKeyToAddress)", () => {
    for (const seed of ["a", "b", "c"]) {
      const dev = testDevice(seed);
      const expected = publicKeyToAddress(toHex(new Uint8Array([4, ...dev.publicKey]))).toLowerCase();
      expect(toHex(deviceAddress(dev.publicKey))).toBe(expected);
      expect(toHex(deviceAddress(new Uint8Array([4, ...dev.publicKey])))).toBe(expected);
    }
  });

  it("reading bodies round-trip, value as two's complement i64", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        fc.uint8Array({ maxLength: 1024 }),
        (nonce, value, payload) => {
          const body = encodeReadingBody({ nonce, value, payload });
          expect(body.length).toBe(26 + payload.length);
          expect(decodeReadingBody(body)).toEqual({ nonce, value, payload });
        },
      ),
    );
    expect(toHex(encodeReadingBody({ nonce: new Uint8Array(16), value: -1n, payload: new Uint8Array(0) }))).toBe(
      `0x${"00".repeat(16)}ffffffffffffffff0000`,
    );
  });

  it("period is the UTC day of device time", () => {
    expect(periodOf(0n)).toBe(0);
    expect(periodOf(86_399n)).toBe(0);
    expect(periodOf(86_400n)).toBe(1);
    expect(periodOf(1_700_000_000n)).toBe(19675);
  });
});

describe("owner permits (EIP-712)", () => {
  const domain = { chainId: BigInt(CHAIN_ID), app: fromHex(APP) };
  const device = testDevice("a").address;
  const key = testDevice("b").publicKey;

  it("digests equal viem's hashTypedData for all three types", () => {
    expect(toHex(registerPermitDigest(domain, device, fromHex("0xc0ffee"), 99n))).toBe(
      hashTypedData({
        domain: permitDomain,
        types: PERMIT_TYPES,
        primaryType: "RegisterDevice",
        message: { device: toHex(device), metadata: "0xc0ffee", deadline: 99n },
      }),
    );
    expect(toHex(rotatePermitDigest(domain, device, key, 3n, 99n))).toBe(
      hashTypedData({
        domain: permitDomain,
        types: PERMIT_TYPES,
        primaryType: "RotateDeviceKey",
        message: { device: toHex(device), newPublicKey: toHex(key), nonce: 3n, deadline: 99n },
      }),
    );
    expect(toHex(revokePermitDigest(domain, device, 4n, 99n))).toBe(
      hashTypedData({
        domain: permitDomain,
        types: PERMIT_TYPES,
        primaryType: "RevokeDevice",
        message: { device: toHex(device), nonce: 4n, deadline: 99n },
      }),
    );
  });
});

describe("input codec", () => {
  const dev = testDevice("a");
  const owner = testOwner("o").address;

  it("round-trips every kind", () => {
    const reg = decodeInput(registration(dev, owner, fromHex("0x0102")));
    expect(reg).toMatchObject({ kind: "device_registration", auth: { kind: "sender" } });
    if (reg.kind !== "device_registration") throw new Error();
    expect(toHex(reg.publicKey)).toBe(toHex(dev.publicKey));
    expect(toHex(reg.metadata)).toBe("0x0102");

    const permit = { kind: "permit" as const, deadline: 7n, signature: new Uint8Array(65).fill(9) };
    const rot = decodeInput(rotation(dev.address, testDevice("b"), 0n, permit));
    expect(rot).toMatchObject({ kind: "key_rotation", auth: { kind: "permit", deadline: 7n } });

    const rev = decodeInput(revocation(dev.address));
    expect(rev.kind).toBe("device_revocation");
    expect(revocation(dev.address).length).toBe(23);

    const recs = [record(dev, 1n), record(dev, 2n, 5n, 100)];
    const batch = decodeInput(encodeRecordBatch(recs));
    if (batch.kind !== "record_batch") throw new Error();
    expect(batch.records.map((r) => [r.seq, r.timestamp, r.sealed.length])).toEqual([
      [1n, BigInt(recs[0]!.timestamp), 66],
      [2n, 5n, 158],
    ]);
    expect(toHex(batch.records[1]!.bytes)).toBe(toHex(encodeRecord(recs[1]!)));
    expect(toHex(recordHash(batch.records[1]!.bytes))).toBe(toHex(recordHash(recs[1]!)));
  });

  it("the batch layout is kind, version, count, then records back to back", () => {
    const r = record(dev, 1n);
    const bytes = encodeRecordBatch([r, r]);
    expect(toHex(bytes.subarray(0, 4))).toBe("0x04010002");
    expect(bytes.length).toBe(4 + 2 * (134 + r.sealed.length));
  });

  it("refuses malformed envelopes with stable reasons", () => {
    const good = encodeRecordBatch([record(dev, 1n)]);
    expect(reason(() => decodeInput(new Uint8Array(0)))).toBe("empty_payload");
    expect(reason(() => decodeInput(new Uint8Array(MAX_PAYLOAD_LENGTH + 1)))).toBe("payload_too_large");
    expect(reason(() => decodeInput(Uint8Array.of(0x99, 1)))).toBe("unknown_kind");
    expect(reason(() => decodeInput(Uint8Array.of(0x13, 1)))).toBe("unknown_kind");
    expect(reason(() => decodeInput(Uint8Array.of(0x04, 2, 0, 1)))).toBe("unsupported_version");
    expect(reason(() => decodeInput(Uint8Array.of(0x04)))).toBe("truncated");
    expect(reason(() => decodeInput(good.subarray(0, good.length - 1)))).toBe("truncated");
    expect(reason(() => decodeInput(Uint8Array.from([...good, 0])))).toBe("trailing_bytes");
    expect(reason(() => decodeInput(Uint8Array.of(0x04, 1, 0, 0)))).toBe("bad_count");
    expect(reason(() => decodeInput(Uint8Array.of(0x04, 1, 0x01, 0x54)))).toBe("bad_count"); // 340
    const badLength = good.slice();
    badLength[4 + 132] = 0;
    badLength[4 + 133] = 57; // sealedLength 57 < 58
    expect(reason(() => decodeInput(badLength))).toBe("bad_sealed_length");
    const meta = encodeDeviceRegistration({
      publicKey: dev.publicKey,
      proof: new Uint8Array(64),
      metadata: new Uint8Array(0),
      auth: { kind: "sender" },
    });
    const tooMuch = meta.slice();
    tooMuch[130] = 0x01;
    tooMuch[131] = 0x01; // 257
    expect(reason(() => decodeInput(tooMuch))).toBe("metadata_too_large");
    const badAuth = meta.slice();
    badAuth[badAuth.length - 1] = 2;
    expect(reason(() => decodeInput(badAuth))).toBe("bad_auth_kind");
  });

  it("encoders refuse what the decoder would refuse", () => {
    expect(() => encodeRecordBatch([])).toThrow(RangeError);
    const big = record(dev, 1n, 0n, 1024);
    expect(() => encodeRecordBatch(Array.from({ length: 54 }, () => big))).toThrow(/over 65216/);
    expect(encodeRecordBatch(Array.from({ length: 53 }, () => big)).length).toBeLessThanOrEqual(MAX_PAYLOAD_LENGTH);
  });
});

describe("notices", () => {
  it("round-trip, each starting kind, version, state hash", () => {
    const stateHash = new Uint8Array(32).fill(0xab);
    const dev = testDevice("a");
    const all = [
      {
        kind: "records_accepted" as const,
        stateHash,
        records: [{ device: dev.address, seq: 9n, recordHash: new Uint8Array(32).fill(1) }],
      },
      {
        kind: "device_registered" as const,
        stateHash,
        device: dev.address,
        owner: new Uint8Array(20).fill(2),
        publicKey: dev.publicKey,
      },
      { kind: "key_rotated" as const, stateHash, device: dev.address, newPublicKey: dev.publicKey, nonce: 1n },
      { kind: "device_revoked" as const, stateHash, device: dev.address },
    ];
    const lengths = all.map((n) => {
      const bytes = encodeNotice(n);
      expect(decodeNotice(bytes)).toEqual(n);
      expect(toHex(bytes.subarray(2, 34))).toBe(toHex(stateHash));
      return [bytes[0], bytes.length];
    });
    expect(lengths).toEqual([
      [0x84, 96],
      [0x81, 138],
      [0x82, 126],
      [0x83, 54],
    ]);
  });
});
