import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuthenticationError, InvalidLengthError, chacha20Poly1305Open, chacha20Poly1305Seal } from "@lcore/wasm-core";
import { IO, core, ioView } from "../src/instance.js";
import { bytes, hex, utf8, wycheproof } from "./hex.js";

const seal = chacha20Poly1305Seal;
const open = chacha20Poly1305Open;

function nodeSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: plaintext.length });
  return new Uint8Array(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
}

function nodeOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  const d = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  d.setAAD(aad, { plaintextLength: sealed.length - 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return new Uint8Array(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]));
}

/** Raw ChaCha20 keystream block `counter` (RFC 8439 §2.3), from OpenSSL: its IV is le32(counter) || nonce. */
function keystreamBlock(key: Uint8Array, nonce: Uint8Array, counter: number): Uint8Array {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  iv.set(nonce, 4);
  return new Uint8Array(createCipheriv("chacha20", key, iv).update(Buffer.alloc(64)));
}

/** f must throw AuthenticationError (and so return no plaintext). */
function expectAuthFailure(f: () => Uint8Array): void {
  let result: Uint8Array | undefined;
  let error: unknown;
  try {
    result = f();
  } catch (e) {
    error = e;
  }
  expect(result).toBeUndefined();
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).code).toBe("LCORE_WASM_AUTHENTICATION_FAILED");
}

function expectInvalidLength(f: () => unknown): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidLengthError);
  expect((error as InvalidLengthError).code).toBe("LCORE_WASM_INVALID_LENGTH");
}

const flipBit = (b: Uint8Array, bit: number): Uint8Array => {
  const c = b.slice();
  c[bit >>> 3] = c[bit >>> 3]! ^ (1 << (bit & 7));
  return c;
};

/** Little-endian bytes to BigInt and back (n bytes, truncating). */
const le = (b: Uint8Array): bigint => b.reduceRight((x, byte) => (x << 8n) | BigInt(byte), 0n);
const toLe = (x: bigint, n: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn));

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** n deterministic pseudo-random bytes from a 32-bit seed (xorshift32; test data only). */
function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 24;
  }
  return out;
}

/** Index of the first occurrence of needle in haystack, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle));
}

const SUNSCREEN = utf8(
  "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
);

describe("chacha20Poly1305", () => {
  it("RFC 8439 §2.4.2: the payload is ChaCha20 from block counter 1", () => {
    const key = bytes("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    const nonce = bytes("000000000000004a00000000");
    const sealed = seal(key, nonce, SUNSCREEN, new Uint8Array(0));
    expect(sealed.length).toBe(SUNSCREEN.length + 16);
    expect(hex(sealed.subarray(0, SUNSCREEN.length))).toBe(
      "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b" +
        "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8" +
        "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
        "5af90bbf74a35be6b40b8eedf2785e42874d",
    );
    expect(open(key, nonce, sealed, new Uint8Array(0))).toEqual(SUNSCREEN);
  });

  it("RFC 8439 §2.8.2: AEAD encryption example", () => {
    const key = bytes("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    const nonce = bytes("070000004041424344454647");
    const aad = bytes("50515253c0c1c2c3c4c5c6c7");
    const ct =
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b" +
      "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
      "3ff4def08e4b7a9de576d26586cec64b6116";
    const tag = "1ae10b594f09e26a7e902ecbd0600691";
    expect(hex(seal(key, nonce, SUNSCREEN, aad))).toBe(ct + tag);
    expect(open(key, nonce, bytes(ct + tag), aad)).toEqual(SUNSCREEN);
  });

  it("RFC 8439 Appendix A.5: AEAD decryption example", () => {
    const key = bytes("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    const nonce = bytes("000000000102030405060708");
    const aad = bytes("f33388860000000000004e91");
    const sealed = bytes(
      "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0" +
        "bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855" +
        "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e9" +
        "9040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a" +
        "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130" +
        "305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b" +
        "eead9d67890cbb22392336fea1851f38",
    );
    const plaintext = utf8(
      "Internet-Drafts are draft documents valid for a maximum of six months and may be updated, replaced, " +
        "or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts as reference " +
        "material or to cite them other than as /\u201cwork in progress./\u201d",
    );
    expect(sealed.length).toBe(265 + 16);
    expect(open(key, nonce, sealed, aad)).toEqual(plaintext);
    expect(seal(key, nonce, plaintext, aad)).toEqual(sealed);
  });

  describe("Wycheproof chacha20_poly1305_test", () => {
    type T = {
      tcId: number;
      key: string;
      iv: string;
      aad: string;
      msg: string;
      ct: string;
      tag: string;
      result: "valid" | "invalid" | "acceptable";
    };
    const file = wycheproof<T>("chacha20_poly1305_test");
    const isApplicable = (g: Record<string, unknown>) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128;
    const applicable = file.testGroups.filter(isApplicable);
    // The API takes 12-byte nonces only (RFC 8439's 96-bit nonce), so groups with other IV
    // sizes are not applicable: they must be refused with InvalidLengthError instead.
    const otherIv = file.testGroups.filter((g) => !isApplicable(g));
    const expected = applicable.reduce((n, g) => n + g.tests.length, 0);

    it(`every vector is either run or refused for its IV size (${file.numberOfTests} in all)`, () => {
      expect(expected + otherIv.reduce((n, g) => n + g.tests.length, 0)).toBe(file.numberOfTests);
      for (const g of otherIv) {
        expect(g.keySize).toBe(256);
        expect(g.tagSize).toBe(128);
        expect(g.ivSize).not.toBe(96);
      }
    });

    it(`passes all ${expected} vectors with a 96-bit IV, invalid ones included`, () => {
      let ran = 0,
        valid = 0,
        invalid = 0;
      for (const t of applicable.flatMap((g) => g.tests)) {
        const key = bytes(t.key),
          nonce = bytes(t.iv),
          aad = bytes(t.aad),
          msg = bytes(t.msg);
        const sealed = bytes(t.ct + t.tag);
        if (t.result === "valid") {
          expect(hex(seal(key, nonce, msg, aad)), `tcId ${t.tcId}`).toBe(t.ct + t.tag);
          expect(hex(open(key, nonce, sealed, aad)), `tcId ${t.tcId}`).toBe(t.msg);
          valid++;
        } else {
          // This file has no "acceptable" vectors for ChaCha20-Poly1305; anything not valid must be refused.
          expect(t.result, `tcId ${t.tcId}`).toBe("invalid");
          expectAuthFailure(() => open(key, nonce, sealed, aad));
          invalid++;
        }
        ran++;
      }
      expect(ran).toBe(expected);
      expect(valid).toBeGreaterThan(0);
      expect(invalid).toBeGreaterThan(0);
    });

    it("refuses the vectors with other IV sizes with InvalidLengthError", () => {
      let refused = 0;
      for (const t of otherIv.flatMap((g) => g.tests)) {
        const key = bytes(t.key),
          nonce = bytes(t.iv),
          aad = bytes(t.aad);
        expect(nonce.length).not.toBe(12);
        expectInvalidLength(() => seal(key, nonce, bytes(t.msg), aad));
        expectInvalidLength(() => open(key, nonce, bytes(t.ct + t.tag), aad));
        refused++;
      }
      expect(refused).toBe(file.numberOfTests - expected);
      expect(refused).toBeGreaterThan(0);
    });
  });

  it("matches node:crypto for every AAD and plaintext length 0..129 (each partial-block size)", () => {
    const key = new Uint8Array(randomBytes(32)),
      nonce = new Uint8Array(randomBytes(12));
    const data = new Uint8Array(randomBytes(200));
    for (let aadLen = 0; aadLen <= 33; aadLen++) {
      for (let n = 0; n <= 129; n++) {
        const aad = data.subarray(100, 100 + aadLen),
          pt = data.subarray(0, n);
        const sealed = seal(key, nonce, pt, aad);
        expect(hex(sealed), `aad ${aadLen} pt ${n}`).toBe(hex(nodeSeal(key, nonce, pt, aad)));
        expect(hex(open(key, nonce, sealed, aad))).toBe(hex(pt));
      }
    }
  });

  it("matches node:crypto on random keys, nonces, AAD up to 512 B and plaintexts up to 64 KiB", () => {
    // Lengths come from fc.integer, which spans the whole range (fc.uint8Array's own length
    // stays small by default), and the bytes from a seed: a failure then shrinks over three
    // integers instead of over 64 KiB arrays. The predicate returns a boolean rather than
    // asserting, so a failing run does not diff 128 KiB hex strings at every shrink step.
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 512 }),
        fc.integer({ min: 0, max: 65536 }),
        fc.integer(),
        (key, nonce, aadLen, ptLen, seed) => {
          const aad = pseudoRandom(aadLen, seed),
            pt = pseudoRandom(ptLen, ~seed);
          const ours = seal(key, nonce, pt, aad);
          const theirs = nodeSeal(key, nonce, pt, aad);
          return (
            same(ours, theirs) && same(nodeOpen(key, nonce, ours, aad), pt) && same(open(key, nonce, theirs, aad), pt)
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  describe("Poly1305 final reduction (RFC 8439 §2.5)", () => {
    // Random inputs almost never leave the accumulator in [p, 2^130), where the final
    // reduction mod p = 2^130 - 5 matters, so these messages are built to land there: with
    // r and s known (ChaCha20 block 0, from node), every ciphertext block but the first is
    // random and the first is solved for so that the accumulator ≡ target (mod p). The tag
    // must then be (target + s) mod 2^128, computed here with BigInt.
    const P = (1n << 130n) - 5n;
    const B128 = 1n << 128n;
    const mod = (a: bigint) => ((a % P) + P) % P;
    const pow = (b: bigint, e: bigint) => {
      let r = 1n;
      for (b = mod(b); e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
      return r;
    };

    /** Ciphertext of `blocks` 16-byte blocks, no AAD, whose Poly1305 accumulator ≡ target (mod p). */
    function forge(target: bigint, blocks: number) {
      for (let attempt = 0; attempt < 1000; attempt++) {
        const key = new Uint8Array(randomBytes(32)),
          nonce = new Uint8Array(randomBytes(12));
        const block0 = keystreamBlock(key, nonce, 0);
        // §2.5.1 clamping.
        const r = le(block0.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
        const s = le(block0.subarray(16, 32));
        const rest = new Uint8Array(randomBytes(16 * (blocks - 1)));
        // §2.8: blocks c1..cn then the length block (aadLen 0, ctLen 16n), each with 2^128 added.
        let acc = ((BigInt(16 * blocks) << 64n) + B128) * r;
        for (let i = 1; i < blocks; i++) {
          acc += (le(rest.subarray(16 * (i - 1), 16 * i)) + B128) * pow(r, BigInt(blocks + 1 - i));
        }
        const c1 = mod((target - acc) * pow(pow(r, BigInt(blocks + 1)), P - 2n)) - B128;
        if (c1 < 0n || c1 >= B128) continue; // not a 16-byte block: try another key
        const ct = new Uint8Array([...toLe(c1, 16), ...rest]);
        // At most 4 blocks = 64 bytes: the payload is ChaCha20 block 1 XOR ct (§2.8 counter 1).
        const ks = keystreamBlock(key, nonce, 1);
        const pt = ct.map((c, i) => c ^ ks[i]!);
        return { key, nonce, ct, pt, tag: toLe((target + s) % B128, 16) };
      }
      throw new Error("no key gave a 16-byte first block in 1000 attempts");
    }

    const targets = [0n, 1n, 2n, 3n, 4n, P - 1n, B128 - 1n, B128];
    it.each(targets.map((t) => [t.toString(16)]))("accumulator ≡ 0x%s (mod p)", (t) => {
      for (let blocks = 1; blocks <= 4; blocks++) {
        const { key, nonce, ct, pt, tag } = forge(BigInt(`0x${t}`), blocks);
        const none = new Uint8Array(0);
        const sealed = seal(key, nonce, pt, none);
        expect(hex(sealed)).toBe(hex(ct) + hex(tag));
        expect(hex(sealed)).toBe(hex(nodeSeal(key, nonce, pt, none)));
        expect(open(key, nonce, sealed, none)).toEqual(pt);
      }
    });
  });

  it("round-trips 1 MiB and agrees with node:crypto", () => {
    const key = new Uint8Array(randomBytes(32)),
      nonce = new Uint8Array(randomBytes(12));
    const aad = new Uint8Array(randomBytes(77)),
      pt = new Uint8Array(randomBytes(1 << 20));
    const sealed = seal(key, nonce, pt, aad);
    expect(sealed.length).toBe((1 << 20) + 16);
    expect(same(sealed, nodeSeal(key, nonce, pt, aad))).toBe(true);
    expect(same(open(key, nonce, sealed, aad), pt)).toBe(true);
  });

  describe("tampering", () => {
    const key = new Uint8Array(randomBytes(32)),
      nonce = new Uint8Array(randomBytes(12));
    const aad = new Uint8Array(randomBytes(21)),
      pt = new Uint8Array(randomBytes(150));
    const sealed = seal(key, nonce, pt, aad);

    it("a flipped bit anywhere in the ciphertext or the tag is refused", () => {
      for (let bit = 0; bit < sealed.length * 8; bit++) {
        expectAuthFailure(() => open(key, nonce, flipBit(sealed, bit), aad));
      }
    });

    it("a flipped bit in the AAD or the nonce is refused", () => {
      for (let bit = 0; bit < aad.length * 8; bit++) {
        expectAuthFailure(() => open(key, nonce, sealed, flipBit(aad, bit)));
      }
      for (let bit = 0; bit < 96; bit++) {
        expectAuthFailure(() => open(key, flipBit(nonce, bit), sealed, aad));
      }
    });

    it("a wrong key, a truncated or an extended message is refused", () => {
      expectAuthFailure(() => open(flipBit(key, 0), nonce, sealed, aad));
      expectAuthFailure(() => open(key, nonce, sealed.subarray(1), aad));
      expectAuthFailure(() => open(key, nonce, sealed.subarray(0, sealed.length - 1), aad));
      expectAuthFailure(() => open(key, nonce, new Uint8Array([...sealed, 0]), aad));
      expectAuthFailure(() => open(key, nonce, sealed, new Uint8Array([...aad, 0])));
    });

    it("a correct open still works after failed ones", () => {
      expectAuthFailure(() => open(key, nonce, flipBit(sealed, 7), aad));
      expect(open(key, nonce, sealed, aad)).toEqual(pt);
      expectAuthFailure(() => open(key, nonce, flipBit(sealed, sealed.length * 8 - 1), aad));
      expect(open(key, nonce, sealed, aad)).toEqual(pt);
    });
  });

  describe("the wasm module itself", () => {
    // These call the raw export, below the wrapper (which also wipes the I/O region),
    // to check what the module alone guarantees.
    const key = new Uint8Array(randomBytes(32)),
      nonce = new Uint8Array(randomBytes(12));
    const aad = new Uint8Array(randomBytes(16)),
      pt = new Uint8Array(randomBytes(100));
    const sealed = seal(key, nonce, pt, aad);
    const KEY = IO,
      NONCE = IO + 32,
      AAD = IO + 48,
      SEALED = IO + 64,
      OUT = IO + 256;

    function rawOpen(sealedText: Uint8Array): { ok: number; out: Uint8Array } {
      const heap = ioView(OUT + 256 - IO);
      heap.set(key, KEY);
      heap.set(nonce, NONCE);
      heap.set(aad, AAD);
      heap.set(sealedText, SEALED);
      heap.fill(0xa5, OUT, OUT + 256);
      const ok = core.chacha20Poly1305Open(KEY, NONCE, AAD, aad.length, SEALED, sealedText.length, OUT);
      const out = ioView(OUT + 256 - IO).slice(OUT, OUT + 256);
      ioView(OUT + 256 - IO).fill(0, IO, OUT + 256);
      return { ok, out };
    }

    it("open writes nothing to out when the tag is wrong, and the plaintext when it is right", () => {
      const bad = rawOpen(flipBit(sealed, 8 * sealed.length - 1));
      expect(bad.ok).toBe(0);
      expect(bad.out.every((b) => b === 0xa5)).toBe(true);
      const good = rawOpen(sealed);
      expect(good.ok).toBe(1);
      expect(good.out.subarray(0, pt.length)).toEqual(pt);
      expect(good.out.subarray(pt.length).every((b) => b === 0xa5)).toBe(true);
    });

    it("leaves neither the Poly1305 key nor keystream behind in memory", () => {
      // 100 bytes = one full block (counter 1) and a partial one (counter 2) that goes
      // through the scratch keystream buffer; block 0 is the Poly1305 key r || s (§2.6).
      const polyKey = keystreamBlock(key, nonce, 0).subarray(0, 32);
      const tailKeystream = keystreamBlock(key, nonce, 2);
      // The clamped r (§2.5.1) as the module holds it: five 26-bit limbs, one u64 each.
      const r = le(polyKey.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
      const rLimbs = new Uint8Array(40);
      for (let i = 0; i < 5; i++) rLimbs.set(toLe((r >> BigInt(26 * i)) & 0x3ffffffn, 8), 8 * i);
      // Sanity: the keystream computed by node is the one used, or the search proves nothing.
      expect(sealed[64]! ^ pt[64]!).toBe(tailKeystream[0]);
      for (const run of [
        () => seal(key, nonce, pt, aad),
        () => open(key, nonce, sealed, aad),
        () => rawOpen(flipBit(sealed, 0)),
      ]) {
        run();
        const memory = new Uint8Array(core.memory.buffer);
        expect(indexOf(memory, polyKey.subarray(0, 16))).toBe(-1);
        expect(indexOf(memory, polyKey.subarray(16, 32))).toBe(-1);
        expect(indexOf(memory, tailKeystream.subarray(36, 64))).toBe(-1);
        expect(indexOf(memory, rLimbs)).toBe(-1);
      }
    });
  });

  it("refuses keys of 31 or 33 bytes and nonces of 8 or 24 bytes with InvalidLengthError", () => {
    const key = new Uint8Array(32),
      nonce = new Uint8Array(12),
      pt = new Uint8Array(10),
      aad = new Uint8Array(3);
    const sealed = seal(key, nonce, pt, aad);
    for (const k of [31, 33]) {
      expectInvalidLength(() => seal(new Uint8Array(k), nonce, pt, aad));
      expectInvalidLength(() => open(new Uint8Array(k), nonce, sealed, aad));
    }
    for (const n of [8, 24]) {
      expectInvalidLength(() => seal(key, new Uint8Array(n), pt, aad));
      expectInvalidLength(() => open(key, new Uint8Array(n), sealed, aad));
    }
    expectInvalidLength(() => open(key, nonce, new Uint8Array(15), aad));
  });
});
