// The sealed records the gateway writes (PROTOCOL §2): an independent implementation on
// node:crypto (OpenSSL's HKDF, AES-256-GCM, ChaCha20-Poly1305) opens them, and so does
// the protocol module's openReading, the dApp's disclosure path. The owner reads them
// back in plaintext through the gateway.

import { createDecipheriv, hkdfSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { decodeReadingBody, periodOf } from "@lcore/protocol/deviceMessage";
import { derivePeriodKey, openReading } from "@lcore/protocol/sealing";
import { auth, testGateway } from "./helpers/gateway.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const ascii = (s: string) => Buffer.from(s, "ascii");
const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** PROTOCOL §2 written from the text, with OpenSSL primitives only. */
function openWithNodeCrypto(p: {
  ownerKey: Uint8Array;
  app: Uint8Array;
  device: Uint8Array;
  seq: bigint;
  timestamp: bigint;
  digest: Uint8Array;
  sealed: Uint8Array;
}): Buffer {
  const period = Number(p.timestamp / 86_400n);
  const periodKey = Buffer.from(
    hkdfSync("sha256", p.ownerKey, ascii("lcore/v1/period"), Buffer.concat([p.app, p.device, u32(period)]), 32),
  );
  const okm = Buffer.from(hkdfSync("sha256", periodKey, ascii("lcore/v1/record"), u64(p.seq), 88));
  const [aesKey, chachaKey, aesNonce, chachaNonce] = [
    okm.subarray(0, 32),
    okm.subarray(32, 64),
    okm.subarray(64, 76),
    okm.subarray(76, 88),
  ];
  const aad = Buffer.concat([ascii("lcore/v1/aad"), p.app, p.device, u64(p.seq), p.digest]);
  const outer = Buffer.from(p.sealed);
  const chacha = createDecipheriv("chacha20-poly1305", chachaKey, chachaNonce, { authTagLength: 16 });
  chacha.setAAD(aad, { plaintextLength: outer.length - 16 });
  chacha.setAuthTag(outer.subarray(outer.length - 16));
  const inner = Buffer.concat([chacha.update(outer.subarray(0, outer.length - 16)), chacha.final()]);
  const gcm = createDecipheriv("aes-256-gcm", aesKey, aesNonce);
  gcm.setAAD(aad);
  gcm.setAuthTag(inner.subarray(inner.length - 16));
  return Buffer.concat([gcm.update(inner.subarray(0, inner.length - 16)), gcm.final()]);
}

describe("sealed records", () => {
  it("open with node:crypto, and with the dApp's openReading, to the body the device signed", async () => {
    const gw = await testGateway(cleanups);
    const d = await gw.device();
    const payload = new Uint8Array(Buffer.from("21.5 C, humidity 40%"));
    const r = d.reading({ value: -21_500n, payload });
    expect((await gw.app.inject({ method: "POST", url: "/v1/readings", payload: r })).statusCode).toBe(202);
    const row = gw.app.gateway.outbox.readings.get(d.address, 1n)!;
    const ownerKey = gw.options.ownerKey.reveal();
    const app = gw.app.gateway.appBytes;

    const body = openWithNodeCrypto({
      ownerKey,
      app,
      device: d.address,
      seq: 1n,
      timestamp: row.timestamp,
      digest: row.digest,
      sealed: row.sealed,
    });
    const decoded = decodeReadingBody(body);
    expect(decoded.value).toBe(-21_500n);
    expect(Buffer.from(decoded.payload).toString()).toBe("21.5 C, humidity 40%");
    expect(`0x${Buffer.from(decoded.nonce).toString("hex")}`).toBe(r.nonce);

    const periodKey = derivePeriodKey(ownerKey, app, d.address, periodOf(row.timestamp));
    const viaProtocol = openReading({
      periodKey,
      app,
      device: d.address,
      seq: 1n,
      digest: row.digest,
      sealed: row.sealed,
    });
    expect(Buffer.from(viaProtocol).equals(body)).toBe(true);

    // One flipped bit, another seq, another device: nothing opens.
    const flipped = row.sealed.slice();
    flipped[5]! ^= 1;
    expect(() =>
      openWithNodeCrypto({
        ownerKey,
        app,
        device: d.address,
        seq: 1n,
        timestamp: row.timestamp,
        digest: row.digest,
        sealed: flipped,
      }),
    ).toThrow();
    expect(() =>
      openWithNodeCrypto({
        ownerKey,
        app,
        device: d.address,
        seq: 2n,
        timestamp: row.timestamp,
        digest: row.digest,
        sealed: row.sealed,
      }),
    ).toThrow();
    const other = (await gw.device()).address;
    expect(() =>
      openReading({ periodKey, app, device: other, seq: 1n, digest: row.digest, sealed: row.sealed }),
    ).toThrow();
  });

  it("are derived, not random: the same reading under the same owner key seals to the same bytes", async () => {
    const a = await testGateway(cleanups);
    const b = await testGateway(cleanups, {
      ownerKey: a.options.ownerKey,
      app: a.options.app,
      submitterKey: a.options.submitterKey,
    });
    const d = await a.device();
    await b.app.inject({ method: "POST", url: "/v1/devices", headers: auth, payload: d.registration(b.info) });
    const r = d.reading();
    await a.app.inject({ method: "POST", url: "/v1/readings", payload: r });
    await b.app.inject({ method: "POST", url: "/v1/readings", payload: r });
    const sa = a.app.gateway.outbox.readings.get(d.address, 1n)!.sealed;
    const sb = b.app.gateway.outbox.readings.get(d.address, 1n)!.sealed;
    expect(Buffer.from(sa).equals(Buffer.from(sb))).toBe(true);
  });

  it("are read back in plaintext by the owner, page by page", async () => {
    const gw = await testGateway(cleanups, { limits: { recordsPage: 2 } });
    const d = await gw.device();
    const sent = [
      d.reading({ value: 1n }),
      d.reading({ value: -2n, payload: new Uint8Array([0xca, 0xfe]) }),
      d.reading({ value: 3n }),
    ];
    for (const r of sent)
      expect((await gw.app.inject({ method: "POST", url: "/v1/readings", payload: r })).statusCode).toBe(202);
    const page1 = (await gw.app.inject({ method: "GET", url: `/v1/devices/${d.hex}/records`, headers: auth })).json();
    expect(page1.records.map((x: { value: string }) => x.value)).toEqual(["1", "-2"]);
    expect(page1.records[1]).toMatchObject({ seq: "2", payload: "0xcafe", nonce: sent[1]!.nonce, status: "queued" });
    expect(page1.nextSeq).toBe("3");
    const page2 = (
      await gw.app.inject({ method: "GET", url: `/v1/devices/${d.hex}/records?fromSeq=3`, headers: auth })
    ).json();
    expect(page2).toMatchObject({ records: [{ seq: "3", value: "3", payload: "0x" }], nextSeq: null });
  });
});
