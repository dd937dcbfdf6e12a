import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuthenticationError, InvalidLengthError, aes256GcmOpen, aes256GcmSeal } from "@lcore/wasm-core";
import { IO, core } from "../src/instance.js";
import { bytes, hex, wycheproof } from "./hex.js";

function nodeSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-256-gcm", key, nonce);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return new Uint8Array(Buffer.concat([ct, c.getAuthTag()]));
}

function nodeOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  const d = createDecipheriv("aes-256-gcm", key, nonce);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return new Uint8Array(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]));
}

/** Fresh random bytes as a plain Uint8Array (no Buffer pool aliasing). */
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

function expectAuthFailure(open: () => Uint8Array): void {
  let result: Uint8Array | undefined;
  let error: unknown;
  try {
    result = open();
  } catch (e) {
    error = e;
  }
  expect(result).toBeUndefined();
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).code).toBe("LCORE_WASM_AUTHENTICATION_FAILED");
}

/** A copy of b with one bit flipped (never b itself: Buffer#slice would alias it). */
function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = new Uint8Array(b);
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

describe("aes256Gcm", () => {
  // McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", revised 2005 (the test
  // vectors referenced by NIST SP 800-38D), test cases 13-16: AES-256 with a 96-bit IV.
  const K15 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
  const P15 =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
  const C15 =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa" +
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";
  const gcmSpec = [
    {
      name: "13 (empty)",
      key: "00".repeat(32),
      iv: "00".repeat(12),
      aad: "",
      pt: "",
      ct: "",
      tag: "530f8afbc74536b9a963b4f1c4cb738b",
    },
    {
      name: "14 (one zero block)",
      key: "00".repeat(32),
      iv: "00".repeat(12),
      aad: "",
      pt: "00".repeat(16),
      ct: "cea7403d4d606b6e074ec5d3baf39d18",
      tag: "d0d1c8a799996bf0265b98b5d48ab919",
    },
    {
      name: "15 (64 bytes)",
      key: K15,
      iv: "cafebabefacedbaddecaf888",
      aad: "",
      pt: P15,
      ct: C15,
      tag: "b094dac5d93471bdec1a502270e3cc6c",
    },
    {
      name: "16 (60 bytes, 20-byte AAD)",
      key: K15,
      iv: "cafebabefacedbaddecaf888",
      aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
      pt: P15.slice(0, 120),
      ct: C15.slice(0, 120),
      tag: "76fc6ece0f4e1768cddf8853bb2d551b",
    },
  ];
  it.each(gcmSpec)("GCM spec test case $name", ({ key, iv, aad, pt, ct, tag }) => {
    const sealed = aes256GcmSeal(bytes(key), bytes(iv), bytes(pt), bytes(aad));
    expect(hex(sealed)).toBe(ct + tag);
    expect(hex(aes256GcmOpen(bytes(key), bytes(iv), sealed, bytes(aad)))).toBe(pt);
  });

  type T = {
    tcId: number;
    iv: string;
    key: string;
    aad: string;
    msg: string;
    ct: string;
    tag: string;
    result: string;
    flags: string[];
  };
  const file = wycheproof<T>("aes_gcm_test");
  // Only 256-bit keys, 96-bit IVs and 128-bit tags are in scope: the API takes exactly a
  // 32-byte key and a 12-byte nonce and always emits a 16-byte tag, so the groups with
  // other key, IV or tag sizes test parameters it cannot be called with.
  const groups = file.testGroups.filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128);
  const applicable = groups.reduce((n, g) => n + g.tests.length, 0);
  it(`passes all ${applicable} applicable Wycheproof AES-GCM vectors, invalid ones included`, () => {
    // The vectors file is pinned (test/vectors/SOURCE); a change in this count means it changed.
    expect(applicable).toBe(66);
    let ran = 0;
    let invalid = 0;
    for (const t of groups.flatMap((g) => g.tests)) {
      const [key, iv, aad, msg] = [bytes(t.key), bytes(t.iv), bytes(t.aad), bytes(t.msg)];
      const sealed = bytes(t.ct + t.tag);
      expect(["valid", "invalid"], `tcId ${t.tcId}`).toContain(t.result);
      if (t.result === "valid") {
        expect(hex(aes256GcmSeal(key, iv, msg, aad)), `tcId ${t.tcId}`).toBe(t.ct + t.tag);
        expect(hex(aes256GcmOpen(key, iv, sealed, aad)), `tcId ${t.tcId}`).toBe(t.msg);
      } else {
        expectAuthFailure(() => aes256GcmOpen(key, iv, sealed, aad));
        invalid++;
      }
      ran++;
    }
    expect(ran).toBe(applicable);
    expect(invalid).toBeGreaterThan(0);
  });

  it("matches node:crypto on random keys, nonces, AAD up to 512 B and plaintexts up to 64 KiB", () => {
    let longest = 0;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 512 }),
        // Short inputs exercise the partial-block paths; long ones the counter and GHASH loops.
        fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 65536, size: "max" })),
        (key, nonce, aad, plaintext) => {
          longest = Math.max(longest, plaintext.length);
          const ours = aes256GcmSeal(key, nonce, plaintext, aad);
          expect(hex(ours)).toBe(hex(nodeSeal(key, nonce, plaintext, aad)));
          expect(hex(nodeOpen(key, nonce, ours, aad))).toBe(hex(plaintext));
          expect(hex(aes256GcmOpen(key, nonce, nodeSeal(key, nonce, plaintext, aad), aad))).toBe(hex(plaintext));
        },
      ),
      { numRuns: 150 },
    );
    expect(longest).toBeGreaterThan(16384);
  });

  it("round-trips 1 MiB and agrees with node:crypto", () => {
    const [key, nonce, aad, plaintext] = [rand(32), rand(12), rand(33), rand(1 << 20)];
    const sealed = aes256GcmSeal(key, nonce, plaintext, aad);
    expect(sealed.length).toBe((1 << 20) + 16);
    expect(Buffer.compare(Buffer.from(sealed), nodeSeal(key, nonce, plaintext, aad))).toBe(0);
    expect(Buffer.compare(aes256GcmOpen(key, nonce, sealed, aad), plaintext)).toBe(0);
  });

  describe("tampering", () => {
    const key = rand(32);
    const nonce = rand(12);
    const aad = rand(20);
    const plaintext = rand(100);
    const sealed = aes256GcmSeal(key, nonce, plaintext, aad);

    it("rejects a flipped bit anywhere in ciphertext, tag, AAD or nonce", () => {
      for (let bit = 0; bit < sealed.length * 8; bit++) {
        expectAuthFailure(() => aes256GcmOpen(key, nonce, flipBit(sealed, bit), aad));
      }
      for (let bit = 0; bit < aad.length * 8; bit++) {
        expectAuthFailure(() => aes256GcmOpen(key, nonce, sealed, flipBit(aad, bit)));
      }
      for (let bit = 0; bit < nonce.length * 8; bit++) {
        expectAuthFailure(() => aes256GcmOpen(key, flipBit(nonce, bit), sealed, aad));
      }
      expectAuthFailure(() => aes256GcmOpen(flipBit(key, 0), nonce, sealed, aad));
      expectAuthFailure(() => aes256GcmOpen(key, nonce, sealed, new Uint8Array(0)));
      expectAuthFailure(() => aes256GcmOpen(key, nonce, sealed.subarray(1), aad));
      // The tag alone is well-formed input (empty ciphertext) but not this message's tag.
      expectAuthFailure(() => aes256GcmOpen(key, nonce, sealed.subarray(sealed.length - 16), aad));
    });

    it("writes nothing to the output when the tag is wrong, and returns 0", () => {
      // Call the module directly with the wrapper's layout: key | nonce | aad | sealed.
      const textAt = IO + 48 + 32;
      const bad = flipBit(sealed, sealed.length * 8 - 1);
      const heap = () => new Uint8Array(core.memory.buffer);
      heap().set(key, IO);
      heap().set(nonce, IO + 32);
      heap().set(aad, IO + 48);
      heap().set(bad, textAt);
      expect(core.aes256GcmOpen(IO, IO + 32, IO + 48, aad.length, textAt, bad.length, textAt)).toBe(0);
      expect(hex(heap().slice(textAt, textAt + bad.length))).toBe(hex(bad));
      // The same call with the right tag decrypts in place and returns 1.
      heap().set(sealed, textAt);
      expect(core.aes256GcmOpen(IO, IO + 32, IO + 48, aad.length, textAt, sealed.length, textAt)).toBe(1);
      expect(hex(heap().slice(textAt, textAt + plaintext.length))).toBe(hex(plaintext));
      heap().fill(0, IO, textAt + sealed.length);
    });

    it("leaves the I/O region wiped after a failed open, and the next open still works", () => {
      expectAuthFailure(() => aes256GcmOpen(key, nonce, flipBit(sealed, 3), aad));
      const io = new Uint8Array(core.memory.buffer, IO, 48 + 32 + sealed.length);
      expect(io.every((b) => b === 0)).toBe(true);
      expect(hex(aes256GcmOpen(key, nonce, sealed, aad))).toBe(hex(plaintext));
    });

    it("leaves no key schedule or hash subkey anywhere in WASM memory", () => {
      const k = rand(32);
      // H = CIPH_K(0^128) (SP 800-38D §6.4); it is also the first entry the GHASH table stores.
      const ecb = createCipheriv("aes-256-ecb", k, null).setAutoPadding(false);
      const h = Buffer.concat([ecb.update(Buffer.alloc(16)), ecb.final()]);
      const sealedK = aes256GcmSeal(k, nonce, plaintext, aad);
      aes256GcmOpen(k, nonce, sealedK, aad);
      expectAuthFailure(() => aes256GcmOpen(k, nonce, flipBit(sealedK, 0), aad));
      const memory = Buffer.from(core.memory.buffer);
      // The first 32 bytes of the FIPS 197 §5.2 key schedule are the key itself.
      expect(memory.indexOf(Buffer.from(k.subarray(0, 16)))).toBe(-1);
      expect(memory.indexOf(Buffer.from(k.subarray(16)))).toBe(-1);
      expect(memory.indexOf(h)).toBe(-1);
    });
  });

  describe("lengths", () => {
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(12);
    const sealed = aes256GcmSeal(key, nonce, new Uint8Array(5), new Uint8Array(0));
    const expectLengthError = (f: () => unknown) => {
      expect(f).toThrow(InvalidLengthError);
      expect(f).toThrow(expect.objectContaining({ code: "LCORE_WASM_INVALID_LENGTH" }));
    };

    it.each([31, 33, 0, 16])("rejects a %i-byte key", (n) => {
      expectLengthError(() => aes256GcmSeal(new Uint8Array(n), nonce, new Uint8Array(5), new Uint8Array(0)));
      expectLengthError(() => aes256GcmOpen(new Uint8Array(n), nonce, sealed, new Uint8Array(0)));
    });

    it.each([8, 16, 11, 13])("rejects a %i-byte nonce", (n) => {
      expectLengthError(() => aes256GcmSeal(key, new Uint8Array(n), new Uint8Array(5), new Uint8Array(0)));
      expectLengthError(() => aes256GcmOpen(key, new Uint8Array(n), sealed, new Uint8Array(0)));
    });

    it("rejects a sealed input shorter than the tag", () => {
      expectLengthError(() => aes256GcmOpen(key, nonce, new Uint8Array(15), new Uint8Array(0)));
    });
  });
});
