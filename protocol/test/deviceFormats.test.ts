// The device formats' codecs (PROTOCOL §12): registration 0x06, ioID-SDK's request split and
// h2, compact JWS and base64url, exact values, ISO times.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DecodeError } from "@lcore/protocol/errors";
import { DeviceFormat, encodeFormatRegistration, p256DeviceAddress } from "@lcore/protocol/deviceFormats";
import { deviceAddress } from "@lcore/protocol/deviceMessage";
import { FormatError } from "@lcore/protocol/formatError";
import { isoUtcSeconds, scaledDecimal } from "@lcore/protocol/formatValue";
import { decodeInput } from "@lcore/protocol/input";
import { parseIoidMessage, splitIoidRequest } from "@lcore/protocol/ioidMessage";
import { base64UrlDecode, base64UrlEncode, readJwsSigningInput, splitCompactJws } from "@lcore/protocol/jwsMessage";
import { es256Jws, ioidDevice, ioidRequest, sdkDevice } from "./firmware.js";

const sha = (b: Uint8Array | string) => new Uint8Array(createHash("sha256").update(b).digest());
const le64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
};

describe("ioID-SDK requests", () => {
  const dev = ioidDevice("codec");
  it("split into the exact unsigned bytes pal.c hashed, and h2 = SHA-256(h1 || LE64(ts) || LE64(value))", () => {
    const body = ioidRequest(dev, {
      nonce: 305419896,
      projectId: "delen-test",
      timestamp: 1766905635,
      value: 42,
      highS: true,
    });
    const { unsigned, signature } = splitIoidRequest(body);
    const text = Buffer.from(unsigned).toString();
    expect(text).toBe(
      `{"nonce":305419896,"projectID":"delen-test","payload":{"timestamp":1766905635,"value":42,"publicKey":"0x04${Buffer.from(dev.publicKey).toString("hex")}"}}`,
    );
    expect(signature).toHaveLength(64);
    const m = parseIoidMessage(unsigned);
    const h1 = sha(unsigned);
    expect(m.digest).toEqual(sha(Buffer.concat([h1, le64(1766905635n), le64(42n)])));
    expect(m).toMatchObject({ nonce: 305419896n, projectId: "delen-test", timestamp: 1766905635n, value: 42n });
    expect(deviceAddress(m.publicKey)).toEqual(deviceAddress(dev.publicKey));
  });

  it("refuse a body that does not end in the signature, or fields out of their ranges", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof FormatError ? e.code : String(e);
      }
      return "none";
    };
    const body = Buffer.from(
      ioidRequest(dev, { nonce: 1, projectId: "p", timestamp: 5, value: 6, highS: false }),
    ).toString();
    expect(code(() => splitIoidRequest(Buffer.from(`${body} `)))).toBe("not_signed_form");
    expect(code(() => splitIoidRequest(Buffer.from(`${body.slice(0, -2)}" }`)))).toBe("not_signed_form");
    const unsigned = (s: string) => new TextEncoder().encode(s);
    expect(
      code(() =>
        parseIoidMessage(
          unsigned('{"nonce":1,"projectID":"p","payload":{"timestamp":1.5,"value":1,"publicKey":"0x04"}}'),
        ),
      ),
    ).toBe("bad_field");
    expect(code(() => parseIoidMessage(unsigned('{"nonce":4294967296,"projectID":"p","payload":{}}')))).toBe(
      "bad_field",
    );
    expect(code(() => parseIoidMessage(unsigned("[1]")))).toBe("not_json");
    expect(
      code(() =>
        parseIoidMessage(
          unsigned(
            `{"nonce":1,"projectID":"p","payload":{"timestamp":1,"value":9007199254740992,"publicKey":"0x04${"11".repeat(64)}"}}`,
          ),
        ),
      ),
    ).toBe("bad_field");
  });
});

describe("compact JWS", () => {
  const dev = sdkDevice("codec");
  it("base64url is strict and round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const s = base64UrlEncode(b);
        expect(base64UrlDecode(s)).toEqual(b);
        expect(s).toBe(Buffer.from(b).toString("base64url"));
      }),
    );
    expect(base64UrlDecode("QR")).toBeNull(); // leftover bits set: "QQ" is the one spelling of 0x41
    expect(base64UrlDecode("QQ==")).toBeNull();
    expect(base64UrlDecode("Q")).toBeNull();
  });

  it("read the signing input's digest, time (iat, integer or ISO timestamp) and the named field exactly", () => {
    const { signingInput, signature } = splitCompactJws(es256Jws(dev, '{"temperature":23.4,"iat":1700000000}'));
    expect(signature).toHaveLength(64);
    expect(readJwsSigningInput(signingInput, "temperature", 1)).toEqual({
      digest: sha(signingInput),
      time: 1700000000n,
      value: 234n,
    });
    const iso = splitCompactJws(es256Jws(dev, '{"t":-0.005,"timestamp":"2024-07-18T10:30:00Z"}')).signingInput;
    expect(readJwsSigningInput(iso, "t", 3)).toMatchObject({ time: 1721298600n, value: -5n });
    expect(() => readJwsSigningInput(iso, "t", 2)).toThrow(FormatError);
    expect(() => readJwsSigningInput(iso, "missing", 2)).toThrow(FormatError);
    const none = splitCompactJws(es256Jws(dev, '{"t":1}')).signingInput;
    expect(() => readJwsSigningInput(none, "t", 0)).toThrow(/no_time/);
    const hs = `${base64UrlEncode(Buffer.from('{"alg":"HS256"}'))}.${base64UrlEncode(Buffer.from("{}"))}.${base64UrlEncode(new Uint8Array(64))}`;
    expect(() => splitCompactJws(hs)).toThrow(/ES256/);
  });
});

describe("values and times", () => {
  it("scale decimals exactly, refusing what the scale cannot keep", () => {
    expect(scaledDecimal(23.4, 1)).toBe(234n);
    expect(scaledDecimal(23.4, 3)).toBe(23400n);
    expect(scaledDecimal(23.45, 1)).toBeNull();
    expect(scaledDecimal(1e21, 0)).toBeNull(); // over i64
    expect(scaledDecimal(1e18, 0)).toBe(10n ** 18n);
    expect(scaledDecimal(1.5e-7, 9)).toBe(150n);
    expect(scaledDecimal(-0, 2)).toBe(0n);
    expect(scaledDecimal("1", 0)).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 4 }), (n, scale) => {
        expect(scaledDecimal(n / 10 ** scale, scale)).toBe(BigInt(n));
      }),
    );
  });

  it("read ISO 8601 UTC times as Date does, without Date", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (t) => {
        const iso = new Date(t * 1000).toISOString();
        expect(isoUtcSeconds(iso)).toBe(BigInt(t));
        expect(isoUtcSeconds(iso.replace(".000", ""))).toBe(BigInt(t));
      }),
    );
    for (const bad of [
      "2024-02-30T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2024-07-18T10:30:00",
      "2024-07-18 10:30:00Z",
      5,
    ])
      expect(isoUtcSeconds(bad)).toBeNull();
    expect(isoUtcSeconds("2024-02-29T23:59:59Z")).toBe(1709251199n);
  });
});

describe("format registration (0x06)", () => {
  const key = ioidDevice("r").publicKey;
  const base = { publicKey: key, metadata: new Uint8Array(3), auth: { kind: "sender" } as const };
  it("round-trips, and refuses an unknown format, a bad field or an ioID registration without proof", () => {
    const jws = encodeFormatRegistration({
      ...base,
      format: DeviceFormat.JwsEs256,
      proof: new Uint8Array(0),
      scale: 2,
      valueField: "temp.c",
    });
    expect(decodeInput(jws)).toMatchObject({ kind: "format_registration", format: 2, scale: 2, valueField: "temp.c" });
    const reason = (b: Uint8Array) => {
      try {
        decodeInput(b);
      } catch (e) {
        return (e as DecodeError).reason;
      }
      return "none";
    };
    const unknown = jws.slice();
    unknown[2] = 3;
    expect(reason(unknown)).toBe("unknown_format");
    const noProof = jws.slice();
    noProof[2] = DeviceFormat.IoidSdk;
    expect(reason(noProof)).toBe("bad_device_proof");
    expect(() =>
      encodeFormatRegistration({
        ...base,
        format: DeviceFormat.JwsEs256,
        proof: new Uint8Array(0),
        scale: 10,
        valueField: "t",
      }),
    ).toThrow();
    const badField = encodeFormatRegistration({
      ...base,
      format: DeviceFormat.JwsEs256,
      proof: new Uint8Array(0),
      scale: 0,
      valueField: "t",
    });
    badField[2 + 1 + 64 + 1 + 1 + 1] = 0x20; // the field's one byte becomes a space
    expect(reason(badField)).toBe("bad_value_field");
  });

  it("gives P-256 keys addresses apart from secp256k1's", () => {
    expect(p256DeviceAddress(key)).not.toEqual(deviceAddress(key));
    expect(p256DeviceAddress(key)).toHaveLength(20);
  });
});
