// AES-256-GCM (FIPS 197, NIST SP 800-38D) with a 96-bit IV and a 128-bit tag.
//
// Side channels, honestly: AES here uses 32-bit T-tables (FIPS 197 §5.1 folded into
// four 1 KiB lookup tables, the classic Daemen-Rijmen software form) and GHASH uses
// Shoup's 8-bit table of multiples of H. Both index memory with secret bytes, so
// neither is constant-time against an attacker who can observe cache timing on the
// same machine. That trade-off is accepted for lcore (the gateway and the Cartesi
// machine do not run untrusted co-tenants next to these calls); a bitsliced AES and
// a multiply-based GHASH would remove it at a large speed cost. The tag comparison
// in open IS constant-time (ctEqual), which is the property that matters remotely.
//
// Everything works on static areas (memory.data) and the caller's buffers; nothing
// allocates. Secret state (round keys, the GHASH table of H, scratch blocks) is wiped
// at the end of every call. The lookup tables (T-tables, reduction table) depend on
// nothing secret and are built once, on the first call.
//
// Byte order: WebAssembly is little-endian, so a u32/u64 loaded from a block holds
// its first byte in the low bits. AES columns and GHASH values are kept in that
// memory order throughout, so blocks are loaded and stored without byte swaps.

import { ctEqual, wipe } from "./memory";

// FIPS 197 §5.1.1 Figure 7: the S-box.
const SBOX: usize = memory.data<u8>([
  0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
  0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
  0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
  0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
  0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
  0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
  0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
  0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
  0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
  0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
  0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
  0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
  0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
  0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
  0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
  0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
]);

// Te0..Te3, 256 u32 each, contiguous (Te_r at TE + 1024 r). Te0[x] is the column that
// S-box output s = S[x] in row 0 contributes after MixColumns (FIPS 197 §5.1.3, first
// column of the matrix: 02, 01, 01, 03), stored in memory order; Te_r is Te0 rotated
// to row r. One round is then 16 lookups and XORs.
const TE: usize = memory.data(4096, 64);
// GHASH reduction for an 8-bit shift (see ghash below), 256 u64 in memory order.
const R8: usize = memory.data(2048, 64);
let tablesReady = false;

// Secret per-call state, wiped before every return.
const RK: usize = memory.data(240, 16); // FIPS 197 §5.2: Nb (Nr + 1) = 60 round-key words
const HT: usize = memory.data(4096, 64); // H times every byte value, 16 bytes each
const KS: usize = memory.data(16, 16); // one block of key stream / E(K, J0)
const BLK: usize = memory.data(16, 16); // a zero-padded partial block or the lengths block
const TAG: usize = memory.data(16, 16); // the computed tag (open)
let yh: u64 = 0; // GHASH accumulator Y, bytes 0..7 and 8..15 in memory order
let yl: u64 = 0;

/** xtime: multiply by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS 197 §4.2.1). */
// @ts-ignore: decorator
@inline function xtime(b: u32): u32 {
  return ((b << 1) ^ (((b >> 7) & 1) * 0x1b)) & 0xff;
}

function initTables(): void {
  for (let x: usize = 0; x < 256; x++) {
    const s = <u32>load<u8>(SBOX + x);
    const s2 = xtime(s);
    const t = s2 | (s << 8) | (s << 16) | ((s2 ^ s) << 24);
    store<u32>(TE + (x << 2), t);
    store<u32>(TE + (x << 2), rotl<u32>(t, 8), 1024);
    store<u32>(TE + (x << 2), rotl<u32>(t, 16), 2048);
    store<u32>(TE + (x << 2), rotl<u32>(t, 24), 3072);
  }
  // Shifting Z right by 8 bits (SP 800-38D §6.3 bit order) drops byte 15, worth
  // b * x^128 with b of degree < 8; x^128 = 1 + x + x^2 + x^7 (R = 0xE1 || 0^120), so
  // the dropped byte folds back into the top 16 bits as b * 0xE1, bit by bit.
  for (let b: u32 = 0; b < 256; b++) {
    let r: u32 = 0;
    for (let i: u32 = 0; i < 8; i++) {
      r ^= (0 - ((b >> i) & 1)) & (0xe100 >> (7 - i));
    }
    // r is bytes 0 and 1 of the block, big-endian; stored in memory order.
    store<u64>(R8 + (<usize>b << 3), <u64>(((r & 0xff) << 8) | (r >> 8)));
  }
  tablesReady = true;
}

/** FIPS 197 §5.2 KeyExpansion for Nk = 8, Nr = 14. Words are kept in memory order. */
function expandKey(key: usize): void {
  memory.copy(RK, key, 32);
  let rcon: u32 = 1; // FIPS 197 §5.2: Rcon[i/Nk] = x^(i/Nk - 1) in GF(2^8)
  for (let i: usize = 8; i < 60; i++) {
    let t = load<u32>(RK + ((i - 1) << 2));
    if ((i & 7) == 0) {
      // RotWord (a cyclic byte rotation, a right rotate in memory order), SubWord, Rcon.
      t = rotr<u32>(t, 8);
      t = subWord(t) ^ rcon;
      rcon = xtime(rcon);
    } else if ((i & 7) == 4) {
      t = subWord(t); // the extra SubWord of 256-bit keys (Nk > 6)
    }
    store<u32>(RK + (i << 2), load<u32>(RK + ((i - 8) << 2)) ^ t);
  }
}

// @ts-ignore: decorator
@inline function subWord(w: u32): u32 {
  return <u32>load<u8>(SBOX + (w & 0xff))
    | (<u32>load<u8>(SBOX + ((w >> 8) & 0xff)) << 8)
    | (<u32>load<u8>(SBOX + ((w >> 16) & 0xff)) << 16)
    | (<u32>load<u8>(SBOX + (w >> 24)) << 24);
}

/**
 * One output column of a full round (FIPS 197 §5.1.1-§5.1.4): SubBytes, ShiftRows and
 * MixColumns as four table lookups, then AddRoundKey. Row r of the output column comes
 * from input column c + r (ShiftRows), so the caller passes the columns rotated.
 */
// @ts-ignore: decorator
@inline function col(a: u32, b: u32, c: u32, d: u32, k: u32): u32 {
  return load<u32>((a << 2) & 0x3fc, TE)
    ^ load<u32>((b >> 6) & 0x3fc, TE + 1024)
    ^ load<u32>((c >> 14) & 0x3fc, TE + 2048)
    ^ load<u32>((d >> 22) & 0x3fc, TE + 3072)
    ^ k;
}

/** The last round's column: no MixColumns (FIPS 197 §5.1, Figure 5). */
// @ts-ignore: decorator
@inline function lastCol(a: u32, b: u32, c: u32, d: u32, k: u32): u32 {
  return (<u32>load<u8>(a & 0xff, SBOX)
    | (<u32>load<u8>((b >> 8) & 0xff, SBOX) << 8)
    | (<u32>load<u8>((c >> 16) & 0xff, SBOX) << 16)
    | (<u32>load<u8>(d >> 24, SBOX) << 24)) ^ k;
}

/** FIPS 197 §5.1 Cipher: encrypt the block whose columns are s0..s3 (memory order) into out. */
function encryptBlock(s0: u32, s1: u32, s2: u32, s3: u32, out: usize): void {
  let k = RK;
  s0 ^= load<u32>(k, 0); s1 ^= load<u32>(k, 4); s2 ^= load<u32>(k, 8); s3 ^= load<u32>(k, 12);
  let t0: u32, t1: u32, t2: u32, t3: u32;
  // Rounds 1..12 two at a time, then round 13, then the final round 14.
  for (let r = 0; r < 6; r++) {
    t0 = col(s0, s1, s2, s3, load<u32>(k, 16));
    t1 = col(s1, s2, s3, s0, load<u32>(k, 20));
    t2 = col(s2, s3, s0, s1, load<u32>(k, 24));
    t3 = col(s3, s0, s1, s2, load<u32>(k, 28));
    s0 = col(t0, t1, t2, t3, load<u32>(k, 32));
    s1 = col(t1, t2, t3, t0, load<u32>(k, 36));
    s2 = col(t2, t3, t0, t1, load<u32>(k, 40));
    s3 = col(t3, t0, t1, t2, load<u32>(k, 44));
    k += 32;
  }
  t0 = col(s0, s1, s2, s3, load<u32>(k, 16));
  t1 = col(s1, s2, s3, s0, load<u32>(k, 20));
  t2 = col(s2, s3, s0, s1, load<u32>(k, 24));
  t3 = col(s3, s0, s1, s2, load<u32>(k, 28));
  store<u32>(out, lastCol(t0, t1, t2, t3, load<u32>(k, 32)), 0);
  store<u32>(out, lastCol(t1, t2, t3, t0, load<u32>(k, 36)), 4);
  store<u32>(out, lastCol(t2, t3, t0, t1, load<u32>(k, 40)), 8);
  store<u32>(out, lastCol(t3, t0, t1, t2, load<u32>(k, 44)), 12);
}

/**
 * GHASH key setup (SP 800-38D §6.4): H = CIPH_K(0^128), then Shoup's table
 * HT[b] = H * b for every byte value b taken as the first byte of a block.
 */
function initGhash(): void {
  encryptBlock(0, 0, 0, 0, KS);
  // §6.3: bit 0 of a block is the coefficient of x^0 and is the MSB of byte 0, so with the
  // block read big-endian, multiplying by x is a right shift, reduced by R = 0xE1 || 0^120.
  let vh = bswap<u64>(load<u64>(KS, 0));
  let vl = bswap<u64>(load<u64>(KS, 8));
  // HT[0x80] = H * 1, HT[0x40] = H * x, ..., HT[0x01] = H * x^7.
  for (let b: usize = 0x80; b > 0; b >>= 1) {
    store<u64>(HT + (b << 4), bswap<u64>(vh), 0);
    store<u64>(HT + (b << 4), bswap<u64>(vl), 8);
    const carry = vl & 1;
    vl = (vl >> 1) | (vh << 63);
    vh = (vh >> 1) ^ ((0 - carry) & 0xe100000000000000);
  }
  // Multiplication by H is linear: HT[i ^ j] = HT[i] ^ HT[j].
  store<u64>(HT, 0, 0);
  store<u64>(HT, 0, 8);
  for (let i: usize = 2; i < 256; i <<= 1) {
    const ih = load<u64>(HT + (i << 4), 0);
    const il = load<u64>(HT + (i << 4), 8);
    for (let j: usize = 1; j < i; j++) {
      store<u64>(HT + ((i + j) << 4), ih ^ load<u64>(HT + (j << 4), 0), 0);
      store<u64>(HT + ((i + j) << 4), il ^ load<u64>(HT + (j << 4), 8), 8);
    }
  }
  wipe(KS, 16);
  yh = 0;
  yl = 0;
}

/**
 * SP 800-38D §6.4 GHASH over `blocks` whole blocks at p: Y = (Y ^ X_i) * H.
 * The product X * H = sum of HT[X_k] * x^(8k) over the bytes X_k, evaluated by Horner
 * from byte 15 down. In memory order, multiplying by x^8 moves every byte one place
 * up (a left shift across the two halves) and folds the byte that falls off through R8.
 */
function ghash(p: usize, blocks: usize): void {
  let h = yh, l = yl;
  for (let n: usize = 0; n < blocks; n++, p += 16) {
    const xh = h ^ load<u64>(p, 0);
    const xl = l ^ load<u64>(p, 8);
    let e = <usize>(xl >> 56) << 4;
    let zh = load<u64>(e, HT);
    let zl = load<u64>(e, HT + 8);
    for (let s: i32 = 48; s >= 0; s -= 8) { // bytes 14..8
      const rem = <usize>(zl >> 56);
      zl = (zl << 8) | (zh >> 56);
      zh = (zh << 8) ^ load<u64>(rem << 3, R8);
      e = (<usize>(xl >> <u64>s) & 0xff) << 4;
      zh ^= load<u64>(e, HT);
      zl ^= load<u64>(e, HT + 8);
    }
    for (let s: i32 = 56; s >= 0; s -= 8) { // bytes 7..0
      const rem = <usize>(zl >> 56);
      zl = (zl << 8) | (zh >> 56);
      zh = (zh << 8) ^ load<u64>(rem << 3, R8);
      e = (<usize>(xh >> <u64>s) & 0xff) << 4;
      zh ^= load<u64>(e, HT);
      zl ^= load<u64>(e, HT + 8);
    }
    h = zh;
    l = zl;
  }
  yh = h;
  yl = l;
}

/** GHASH over len bytes, the last partial block padded with zeros (SP 800-38D §7.1 step 5). */
function ghashPadded(p: usize, len: usize): void {
  const whole = len >> 4;
  ghash(p, whole);
  const rest = len & 15;
  if (rest != 0) {
    memory.fill(BLK, 0, 16);
    memory.copy(BLK, p + (whole << 4), rest);
    ghash(BLK, 1);
  }
}

/**
 * SP 800-38D §6.5 GCTR from ICB = inc32(J0) (§7.1 step 3), XORing len bytes from src
 * into dst (which may equal src). With a 96-bit IV, J0 = IV || 0^31 || 1 (§7.1 step 2),
 * so the counter block is the nonce's three words and a 32-bit big-endian counter.
 */
function ctr(nonce: usize, src: usize, dst: usize, len: usize): void {
  const n0 = load<u32>(nonce, 0), n1 = load<u32>(nonce, 4), n2 = load<u32>(nonce, 8);
  let counter: u32 = 2; // inc32(J0); §6.2 inc32 wraps mod 2^32 (unreachable under 64 MiB)
  for (; len >= 16; len -= 16, src += 16, dst += 16, counter++) {
    encryptBlock(n0, n1, n2, bswap<u32>(counter), KS);
    store<u64>(dst, load<u64>(src, 0) ^ load<u64>(KS, 0), 0);
    store<u64>(dst, load<u64>(src, 8) ^ load<u64>(KS, 8), 8);
  }
  if (len > 0) {
    // §6.5 step 7: the final partial block uses the leftmost bits of the last key stream block.
    encryptBlock(n0, n1, n2, bswap<u32>(counter), KS);
    for (let i: usize = 0; i < len; i++) {
      store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(KS + i));
    }
  }
}

/**
 * Tag into out (SP 800-38D §7.1 steps 5-6): S = GHASH(A || 0^v || C || 0^u || [len(A)]64 || [len(C)]64),
 * T = MSB_128(GCTR(J0, S)). GHASH already holds A and C; this adds the lengths block.
 */
function finishTag(nonce: usize, aadLen: usize, ctLen: usize, out: usize): void {
  store<u64>(BLK, bswap<u64>(<u64>aadLen << 3), 0);
  store<u64>(BLK, bswap<u64>(<u64>ctLen << 3), 8);
  ghash(BLK, 1);
  encryptBlock(load<u32>(nonce, 0), load<u32>(nonce, 4), load<u32>(nonce, 8), bswap<u32>(1), KS);
  store<u64>(out, yh ^ load<u64>(KS, 0), 0);
  store<u64>(out, yl ^ load<u64>(KS, 8), 8);
}

function wipeState(): void {
  wipe(RK, 240);
  wipe(HT, 4096);
  wipe(KS, 16);
  wipe(BLK, 16);
  wipe(TAG, 16);
  yh = 0;
  yl = 0;
}

/** SP 800-38D §7.1 GCM-AE: ciphertext (msgLen bytes) then the 16-byte tag at out; out may equal msg. */
export function aes256GcmSeal(key: usize, nonce: usize, aad: usize, aadLen: usize, msg: usize, msgLen: usize, out: usize): void {
  if (!tablesReady) initTables();
  expandKey(key);
  initGhash();
  ghashPadded(aad, aadLen);
  ctr(nonce, msg, out, msgLen);
  ghashPadded(out, msgLen);
  finishTag(nonce, aadLen, msgLen, out + msgLen);
  wipeState();
}

/**
 * SP 800-38D §7.2 GCM-AD: sealed is ciphertext || 16-byte tag (sealedLen >= 16, checked
 * by the wrapper). The tag is recomputed and compared in constant time BEFORE anything is
 * decrypted; on a mismatch nothing is written to out and 0 is returned (§7.2 step 8: FAIL).
 */
export function aes256GcmOpen(key: usize, nonce: usize, aad: usize, aadLen: usize, sealed: usize, sealedLen: usize, out: usize): u32 {
  if (!tablesReady) initTables();
  const ctLen = sealedLen - 16;
  expandKey(key);
  initGhash();
  ghashPadded(aad, aadLen);
  ghashPadded(sealed, ctLen);
  finishTag(nonce, aadLen, ctLen, TAG);
  const ok = ctEqual(TAG, sealed + ctLen, 16);
  if (ok == 1) ctr(nonce, sealed, out, ctLen);
  wipeState();
  return ok;
}
