// PROTOCOL §2 against node:crypto as the reference. HKDF runs now; the AEAD tests run
// as soon as wasm-core's AES-256-GCM and ChaCha20-Poly1305 stop trapping.
import { createCipheriv, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { aes256GcmSeal, chacha20Poly1305Seal } from "@lcore/wasm-core";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { decodeReadingBody, encodeReadingBody, readingDigest } from "@lcore/protocol/deviceMessage";
import { derivePeriodKey, deriveRecordKeys, openReading, recordAad, sealReading } from "@lcore/protocol/sealing";
import { APP, sha, testDevice } from "./fixtures.js";

const master = sha("owner master key");
const app = fromHex(APP);
const device = testDevice("a").address;

function aeadWorks(): boolean {
  try {
    aes256GcmSeal(new Uint8Array(32), new Uint8Array(12), new Uint8Array(1), new Uint8Array(0));
    chacha20Poly1305Seal(new Uint8Array(32), new Uint8Array(12), new Uint8Array(1), new Uint8Array(0));
    return true;
  } catch {
    return false;
  }
}

function reference(periodKey: Uint8Array, seq: bigint, digest: Uint8Array, body: Uint8Array) {
  const seqBytes = Buffer.alloc(8);
  seqBytes.writeBigUInt64BE(seq);
  const okm = Buffer.from(hkdfSync("sha256", periodKey, "lcore/v1/record", seqBytes, 88));
  const aad = Buffer.concat([Buffer.from("lcore/v1/aad"), app, device, seqBytes, digest]);
  const gcm = createCipheriv("aes-256-gcm", okm.subarray(0, 32), okm.subarray(64, 76));
  gcm.setAAD(aad);
  const inner = Buffer.concat([gcm.update(body), gcm.final(), gcm.getAuthTag()]);
  const chacha = createCipheriv("chacha20-poly1305", okm.subarray(32, 64), okm.subarray(76, 88), { authTagLength: 16 });
  chacha.setAAD(aad, { plaintextLength: inner.length });
  return Buffer.concat([chacha.update(inner), chacha.final(), chacha.getAuthTag()]);
}

describe("key tree (HKDF-SHA256)", () => {
  it("derivePeriodKey = HKDF(master, 'lcore/v1/period', app || device || period(u32), 32)", () => {
    const info = Buffer.concat([app, device, Buffer.from([0, 0, 0x4c, 0xdb])]);
    expect(toHex(derivePeriodKey(master, app, device, 19675))).toBe(
      toHex(new Uint8Array(hkdfSync("sha256", master, "lcore/v1/period", info, 32))),
    );
  });

  it("deriveRecordKeys splits 88 bytes into two keys and two nonces; other seqs, periods and devices give other keys", () => {
    const pk = derivePeriodKey(master, app, device, 1);
    const k = deriveRecordKeys(pk, 7n);
    const okm = new Uint8Array(hkdfSync("sha256", pk, "lcore/v1/record", Buffer.from("0000000000000007", "hex"), 88));
    expect([k.aesKey, k.chachaKey, k.aesNonce, k.chachaNonce].map(toHex)).toEqual(
      [okm.slice(0, 32), okm.slice(32, 64), okm.slice(64, 76), okm.slice(76, 88)].map(toHex),
    );
    const others = [
      deriveRecordKeys(pk, 8n).aesKey,
      deriveRecordKeys(derivePeriodKey(master, app, device, 2), 7n).aesKey,
      deriveRecordKeys(derivePeriodKey(master, app, testDevice("b").address, 1), 7n).aesKey,
    ].map(toHex);
    expect(new Set([toHex(k.aesKey), ...others]).size).toBe(4);
  });

  it("recordAad is 'lcore/v1/aad' || app || device || seq || digest", () => {
    const digest = new Uint8Array(32).fill(5);
    expect(toHex(recordAad(app, device, 1n, digest))).toBe(
      toHex(Buffer.concat([Buffer.from("lcore/v1/aad"), app, device, Buffer.from("0000000000000001", "hex"), digest])),
    );
  });
});

describe.runIf(aeadWorks())("dual sealing (needs wasm-core AEADs)", () => {
  const pk = derivePeriodKey(master, app, device, 19675);
  const body = encodeReadingBody({ nonce: sha("n").slice(0, 16), value: -21_500n, payload: Uint8Array.of(1, 2, 3) });
  const digest = readingDigest({ device, seq: 3n, timestamp: 1_700_000_000n, bodyHash: sha("x") });
  const p = { periodKey: pk, app, device, seq: 3n, digest };

  it("sealReading equals AES-256-GCM inside ChaCha20-Poly1305 from node:crypto; len = body + 32", () => {
    const sealed = sealReading({ ...p, body });
    expect(sealed.length).toBe(body.length + 32);
    expect(toHex(sealed)).toBe(toHex(reference(pk, 3n, digest, body)));
  });

  it("openReading inverts it and refuses another header or a flipped bit", () => {
    const sealed = sealReading({ ...p, body });
    expect(decodeReadingBody(openReading({ ...p, sealed })).value).toBe(-21_500n);
    expect(() => openReading({ ...p, seq: 4n, sealed })).toThrow();
    const flipped = sealed.slice();
    flipped[0]! ^= 1;
    expect(() => openReading({ ...p, sealed: flipped })).toThrow();
  });
});
