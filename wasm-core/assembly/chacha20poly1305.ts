// ChaCha20-Poly1305 AEAD (RFC 8439) with a 96-bit nonce and a 128-bit tag.
//
// Constant time: ChaCha20 is add/rotate/xor only, and Poly1305 uses 5×26-bit limbs
// with 64-bit products, carries by shift and mask, and a final reduction that
// selects with a mask. There is no secret-dependent branch, memory index or table
// lookup; loops and branches depend only on the (public) lengths, and the one branch
// on the tag comparison happens after the constant-time ctEqual.
//
// Scalar only (no SIMD: the riscv64 V8 in the Cartesi machine may lack it). Nothing
// allocates; the only state is the static SCRATCH area below, wiped at the end of
// every call. Registers and wasm locals cannot be wiped, which is the usual limit.

import { ctEqual, wipe } from "./memory";

// Scratch for one call, wiped before returning:
//   BLOCK0 (64)  ChaCha20 block 0, whose first 32 bytes are the Poly1305 key r || s
//   KS     (64)  keystream of a final partial block
//   POLY_R (40)  clamped r as 5×26-bit limbs (u64 each)
//   POLY_H (40)  the Poly1305 accumulator h as 5×26-bit limbs
//   PAD    (16)  a zero-padded partial block, then the length block
//   TAG    (16)  the tag computed by open
const SCRATCH_SIZE: i32 = 240;
const SCRATCH: usize = memory.data(SCRATCH_SIZE, 16);
const BLOCK0: usize = SCRATCH;
const KS: usize = SCRATCH + 64;
const POLY_R: usize = SCRATCH + 128;
const POLY_H: usize = SCRATCH + 168;
const PAD: usize = SCRATCH + 208;
const TAG: usize = SCRATCH + 224;

const TAG_LEN: usize = 16;

// RFC 8439 §2.3: the constants "expand 32-byte k" as little-endian words.
const C0: u32 = 0x61707865;
const C1: u32 = 0x3320646e;
const C2: u32 = 0x79622d32;
const C3: u32 = 0x6b206574;

const M26: u64 = 0x3ffffff;

/**
 * dst = src XOR ChaCha20 keystream (RFC 8439 §2.4), len bytes, block counter starting
 * at `counter`. dst may equal src (in place). Full blocks are XORed straight from the
 * state words; a final partial block goes through KS.
 *
 * The counter is 32 bits (§2.3); the wrapper caps an input at 64 MiB = 2^20 blocks,
 * so it never wraps.
 */
function chacha20Xor(key: usize, nonce: usize, counter: u32, src: usize, dst: usize, len: usize): void {
  // §2.3: state = constants | key (8 words) | counter | nonce (3 words), all little-endian.
  const k0 = load<u32>(key, 0), k1 = load<u32>(key, 4), k2 = load<u32>(key, 8), k3 = load<u32>(key, 12);
  const k4 = load<u32>(key, 16), k5 = load<u32>(key, 20), k6 = load<u32>(key, 24), k7 = load<u32>(key, 28);
  const n0 = load<u32>(nonce, 0), n1 = load<u32>(nonce, 4), n2 = load<u32>(nonce, 8);
  let ctr = counter;
  while (len > 0) {
    let x0 = C0, x1 = C1, x2 = C2, x3 = C3;
    let x4 = k0, x5 = k1, x6 = k2, x7 = k3;
    let x8 = k4, x9 = k5, x10 = k6, x11 = k7;
    let x12 = ctr, x13 = n0, x14 = n1, x15 = n2;
    // §2.3: 20 rounds = 10 × (column round, diagonal round); each line pair below is
    // one step of the §2.1 quarter round: a += b; d ^= a; d <<<= 16 (then 12, 8, 7).
    for (let i = 0; i < 10; i++) {
      // Column round: QUARTERROUND(0,4,8,12) (1,5,9,13) (2,6,10,14) (3,7,11,15).
      x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16);
      x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
      x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8);
      x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);

      x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16);
      x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
      x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8);
      x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);

      x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16);
      x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
      x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8);
      x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);

      x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16);
      x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
      x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8);
      x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);

      // Diagonal round: QUARTERROUND(0,5,10,15) (1,6,11,12) (2,7,8,13) (3,4,9,14).
      x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16);
      x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
      x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8);
      x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);

      x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16);
      x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
      x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8);
      x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);

      x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16);
      x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
      x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8);
      x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);

      x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16);
      x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
      x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8);
      x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
    }
    // §2.3: add the original input words to the result.
    x0 += C0; x1 += C1; x2 += C2; x3 += C3;
    x4 += k0; x5 += k1; x6 += k2; x7 += k3;
    x8 += k4; x9 += k5; x10 += k6; x11 += k7;
    x12 += ctr; x13 += n0; x14 += n1; x15 += n2;

    if (len >= 64) {
      // §2.4: XOR the serialized (little-endian) block, 8 bytes at a time.
      store<u64>(dst, load<u64>(src, 0) ^ ((<u64>x1 << 32) | <u64>x0), 0);
      store<u64>(dst, load<u64>(src, 8) ^ ((<u64>x3 << 32) | <u64>x2), 8);
      store<u64>(dst, load<u64>(src, 16) ^ ((<u64>x5 << 32) | <u64>x4), 16);
      store<u64>(dst, load<u64>(src, 24) ^ ((<u64>x7 << 32) | <u64>x6), 24);
      store<u64>(dst, load<u64>(src, 32) ^ ((<u64>x9 << 32) | <u64>x8), 32);
      store<u64>(dst, load<u64>(src, 40) ^ ((<u64>x11 << 32) | <u64>x10), 40);
      store<u64>(dst, load<u64>(src, 48) ^ ((<u64>x13 << 32) | <u64>x12), 48);
      store<u64>(dst, load<u64>(src, 56) ^ ((<u64>x15 << 32) | <u64>x14), 56);
      src += 64; dst += 64; len -= 64;
      ctr++;
    } else {
      // §2.4: the last partial block uses only the first len bytes of keystream.
      store<u32>(KS, x0, 0); store<u32>(KS, x1, 4); store<u32>(KS, x2, 8); store<u32>(KS, x3, 12);
      store<u32>(KS, x4, 16); store<u32>(KS, x5, 20); store<u32>(KS, x6, 24); store<u32>(KS, x7, 28);
      store<u32>(KS, x8, 32); store<u32>(KS, x9, 36); store<u32>(KS, x10, 40); store<u32>(KS, x11, 44);
      store<u32>(KS, x12, 48); store<u32>(KS, x13, 52); store<u32>(KS, x14, 56); store<u32>(KS, x15, 60);
      for (let i: usize = 0; i < len; i++) {
        store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(KS + i));
      }
      len = 0;
    }
  }
}

/** Start Poly1305 with the one-time key r || s at BLOCK0 (RFC 8439 §2.6). */
function polyInit(): void {
  // RFC 8439 §2.5.1: clamp r: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff.
  const lo = load<u64>(BLOCK0, 0) & 0x0ffffffc0fffffff;
  const hi = load<u64>(BLOCK0, 8) & 0x0ffffffc0ffffffc;
  // Split the 128-bit r into 26-bit limbs (bits 0, 26, 52, 78, 104).
  store<u64>(POLY_R, lo & M26, 0);
  store<u64>(POLY_R, (lo >> 26) & M26, 8);
  store<u64>(POLY_R, ((lo >> 52) | (hi << 12)) & M26, 16);
  store<u64>(POLY_R, (hi >> 14) & M26, 24);
  store<u64>(POLY_R, hi >> 40, 32);
  // §2.5.1: the accumulator starts at 0.
  memory.fill(POLY_H, 0, 40);
}

/**
 * Absorb `blocks` full 16-byte blocks at p (RFC 8439 §2.5.1). Every block the AEAD
 * feeds is 16 bytes (§2.8 pads AAD and ciphertext to 16), so the appended 0x01 byte
 * is always bit 128.
 */
function polyBlocks(p: usize, blocks: usize): void {
  const r0 = load<u64>(POLY_R, 0), r1 = load<u64>(POLY_R, 8), r2 = load<u64>(POLY_R, 16);
  const r3 = load<u64>(POLY_R, 24), r4 = load<u64>(POLY_R, 32);
  // 2^130 ≡ 5 (mod 2^130 - 5): a product limb that overflows past limb 4 wraps × 5.
  // r's limbs are < 2^26, so r·5 < 2^29; h's limbs are < 2^28 after adding a block, so
  // each d below is a sum of five products < 2^57: no u64 overflow.
  const s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
  let h0 = load<u64>(POLY_H, 0), h1 = load<u64>(POLY_H, 8), h2 = load<u64>(POLY_H, 16);
  let h3 = load<u64>(POLY_H, 24), h4 = load<u64>(POLY_H, 32);
  const end = p + (blocks << 4);
  while (p < end) {
    // §2.5.1: acc += the block read little-endian, with 0x01 appended (bit 128 = limb 4 bit 24).
    const lo = load<u64>(p, 0), hi = load<u64>(p, 8);
    h0 += lo & M26;
    h1 += (lo >> 26) & M26;
    h2 += ((lo >> 52) | (hi << 12)) & M26;
    h3 += (hi >> 14) & M26;
    h4 += (hi >> 40) | (<u64>1 << 24);
    // §2.5.1: acc = (acc * r) % p, as a schoolbook product with the wrapped terms × 5.
    const d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
    let d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
    let d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
    let d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
    let d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
    // Partial reduction: carry each limb into the next, and limb 4's carry × 5 into limb 0.
    // h stays below 2^26 + small per limb, enough for the next block's products.
    d1 += d0 >> 26; h0 = d0 & M26;
    d2 += d1 >> 26; h1 = d1 & M26;
    d3 += d2 >> 26; h2 = d2 & M26;
    d4 += d3 >> 26; h3 = d3 & M26;
    h0 += (d4 >> 26) * 5; h4 = d4 & M26;
    h1 += h0 >> 26; h0 &= M26;
    p += 16;
  }
  store<u64>(POLY_H, h0, 0); store<u64>(POLY_H, h1, 8); store<u64>(POLY_H, h2, 16);
  store<u64>(POLY_H, h3, 24); store<u64>(POLY_H, h4, 32);
}

/** RFC 8439 §2.8: absorb len bytes then zero padding up to a multiple of 16. */
function polyPadded(p: usize, len: usize): void {
  const full = len >> 4;
  if (full > 0) polyBlocks(p, full);
  const rest = len & 15;
  if (rest > 0) {
    memory.fill(PAD, 0, 16);
    memory.copy(PAD, p + (full << 4), rest);
    polyBlocks(PAD, 1);
  }
}

/** Absorb the §2.8 length block, reduce fully mod 2^130 - 5, add s and write the 16-byte tag. */
function polyFinish(aadLen: usize, ctLen: usize, out: usize): void {
  // §2.8: the last block is aadLen and ciphertext length as 64-bit little-endian integers.
  store<u64>(PAD, <u64>aadLen, 0);
  store<u64>(PAD, <u64>ctLen, 8);
  polyBlocks(PAD, 1);

  let h0 = load<u64>(POLY_H, 0), h1 = load<u64>(POLY_H, 8), h2 = load<u64>(POLY_H, 16);
  let h3 = load<u64>(POLY_H, 24), h4 = load<u64>(POLY_H, 32);
  // Carry all the way round (limb 4 wraps × 5 into limb 0), then once more up to limb 4,
  // so that limbs 0-3 are < 2^26 and h4 ≤ 2^26: h < 2^130 + 2^104 < 2p, so one conditional
  // subtraction of p reduces it fully.
  h2 += h1 >> 26; h1 &= M26;
  h3 += h2 >> 26; h2 &= M26;
  h4 += h3 >> 26; h3 &= M26;
  h0 += (h4 >> 26) * 5; h4 &= M26;
  h1 += h0 >> 26; h0 &= M26;
  h2 += h1 >> 26; h1 &= M26;
  h3 += h2 >> 26; h2 &= M26;
  h4 += h3 >> 26; h3 &= M26;

  // §2.5: the result must be fully reduced mod p = 2^130 - 5. g = h + 5 - 2^130 = h - p;
  // if that is non-negative (top bit of g4 clear), h ≥ p and g is the reduced value.
  // Selected by mask, not by branch.
  let g0 = h0 + 5;
  let g1 = h1 + (g0 >> 26); g0 &= M26;
  let g2 = h2 + (g1 >> 26); g1 &= M26;
  let g3 = h3 + (g2 >> 26); g2 &= M26;
  const g4 = h4 + (g3 >> 26) - (<u64>1 << 26); g3 &= M26;
  const useG = (g4 >> 63) - 1; // all ones if g4 ≥ 0, zero if it went negative
  const useH = ~useG;
  h0 = (h0 & useH) | (g0 & useG);
  h1 = (h1 & useH) | (g1 & useG);
  h2 = (h2 & useH) | (g2 & useG);
  h3 = (h3 & useH) | (g3 & useG);
  h4 = (h4 & useH) | (g4 & useG);

  // Back to two 64-bit words; bits above 128 drop out (§2.5.1: only the low 128 bits are kept).
  const lo = h0 | (h1 << 26) | (h2 << 52);
  const hi = (h2 >> 12) | (h3 << 14) | (h4 << 40);
  // §2.5.1: tag = (acc + s) mod 2^128, s = the second half of the one-time key.
  const s0 = load<u64>(BLOCK0, 16), s1 = load<u64>(BLOCK0, 24);
  const t0 = lo + s0;
  // Carry out of the low word without a comparison (Hacker's Delight §2-13): it is the
  // top bit of (lo AND s0) OR ((lo OR s0) AND NOT t0).
  const carry = ((lo & s0) | ((lo | s0) & ~t0)) >> 63;
  store<u64>(out, t0, 0);
  store<u64>(out, hi + s1 + carry, 8);
}

/** RFC 8439 §2.6 + §2.8: the one-time Poly1305 key is ChaCha20 block 0 of (key, nonce). */
function polyKeyGen(key: usize, nonce: usize): void {
  memory.fill(BLOCK0, 0, 64);
  chacha20Xor(key, nonce, 0, BLOCK0, BLOCK0, 64);
  polyInit();
}

/** §2.8: tag over aad || pad16 || ciphertext || pad16 || le64(aadLen) || le64(ctLen), written to out. */
function aeadTag(aad: usize, aadLen: usize, ct: usize, ctLen: usize, out: usize): void {
  polyPadded(aad, aadLen);
  polyPadded(ct, ctLen);
  polyFinish(aadLen, ctLen, out);
}

/**
 * Encrypt msgLen bytes at msg and authenticate them with aad: writes the ciphertext
 * then the 16-byte tag at out. out may equal msg.
 */
export function chacha20Poly1305Seal(key: usize, nonce: usize, aad: usize, aadLen: usize, msg: usize, msgLen: usize, out: usize): void {
  polyKeyGen(key, nonce);
  // §2.8: the payload is encrypted with the block counter starting at 1.
  chacha20Xor(key, nonce, 1, msg, out, msgLen);
  aeadTag(aad, aadLen, out, msgLen, out + msgLen);
  wipe(SCRATCH, SCRATCH_SIZE);
}

/**
 * Verify and decrypt ciphertext || tag (sealedLen ≥ 16, checked by the wrapper).
 * Returns 1 and writes the plaintext at out (which may equal sealed) only if the tag
 * verifies; otherwise returns 0 and writes nothing to out.
 */
export function chacha20Poly1305Open(key: usize, nonce: usize, aad: usize, aadLen: usize, sealed: usize, sealedLen: usize, out: usize): u32 {
  const ctLen = sealedLen - TAG_LEN;
  polyKeyGen(key, nonce);
  // §2.8: the receiver computes the tag over the ciphertext first and compares it
  // (in constant time) before decrypting anything.
  aeadTag(aad, aadLen, sealed, ctLen, TAG);
  const ok = ctEqual(TAG, sealed + ctLen, TAG_LEN);
  if (ok == 1) {
    chacha20Xor(key, nonce, 1, sealed, out, ctLen);
  }
  wipe(SCRATCH, SCRATCH_SIZE);
  return ok;
}
