// SHA-256 (FIPS 180-4) with HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869).
//
// One static working state; the wrapper saves and restores it (SHA256_STATE_SIZE
// bytes at sha256StatePtr) to run any number of incremental hashers at once.

import { loadBe32, storeBe32, storeBe64, wipe } from "./memory";

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// Working state: H[8] (32 bytes) | buffer (64) | buffered length (4, u32) | pad (4) | total length (8, u64).
export const SHA256_STATE_SIZE: u32 = 112;
const STATE: usize = memory.data(SHA256_STATE_SIZE, 16);
const H: usize = STATE;
const BUF: usize = STATE + 32;
const BUF_LEN: usize = STATE + 96;
const TOTAL: usize = STATE + 104;
// Message schedule W[64].
const W: usize = memory.data(256, 16);

export function sha256StatePtr(): usize {
  return STATE;
}

export function sha256Init(): void {
  // FIPS 180-4 §5.3.3: initial hash value.
  store<u32>(H, 0x6a09e667, 0);
  store<u32>(H, 0xbb67ae85, 4);
  store<u32>(H, 0x3c6ef372, 8);
  store<u32>(H, 0xa54ff53a, 12);
  store<u32>(H, 0x510e527f, 16);
  store<u32>(H, 0x9b05688c, 20);
  store<u32>(H, 0x1f83d9ab, 24);
  store<u32>(H, 0x5be0cd19, 28);
  store<u32>(BUF_LEN, 0);
  store<u64>(TOTAL, 0);
}

/** Compress `blocks` consecutive 64-byte blocks at p into H (FIPS 180-4 §6.2.2). */
function compress(p: usize, blocks: usize): void {
  let h0 = load<u32>(H, 0), h1 = load<u32>(H, 4), h2 = load<u32>(H, 8), h3 = load<u32>(H, 12);
  let h4 = load<u32>(H, 16), h5 = load<u32>(H, 20), h6 = load<u32>(H, 24), h7 = load<u32>(H, 28);
  for (let blk: usize = 0; blk < blocks; blk++, p += 64) {
    for (let t: usize = 0; t < 16; t++) {
      store<u32>(W + (t << 2), loadBe32(p + (t << 2)));
    }
    for (let t: usize = 16; t < 64; t++) {
      const w15 = load<u32>(W + ((t - 15) << 2));
      const w2 = load<u32>(W + ((t - 2) << 2));
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
      store<u32>(W + (t << 2), s1 + load<u32>(W + ((t - 7) << 2)) + s0 + load<u32>(W + ((t - 16) << 2)));
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let t: usize = 0; t < 256; t += 4) {
      const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = h + S1 + ch + load<u32>(K + t) + load<u32>(W + t);
      const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      h = g; g = f; f = e; e = d + t1;
      d = c; c = b; b = a; a = t1 + S0 + maj;
    }
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += h;
  }
  store<u32>(H, h0, 0); store<u32>(H, h1, 4); store<u32>(H, h2, 8); store<u32>(H, h3, 12);
  store<u32>(H, h4, 16); store<u32>(H, h5, 20); store<u32>(H, h6, 24); store<u32>(H, h7, 28);
}

export function sha256Update(p: usize, len: usize): void {
  store<u64>(TOTAL, load<u64>(TOTAL) + <u64>len);
  let buffered = <usize>load<u32>(BUF_LEN);
  if (buffered > 0) {
    const take = min<usize>(64 - buffered, len);
    memory.copy(BUF + buffered, p, take);
    buffered += take; p += take; len -= take;
    if (buffered < 64) {
      store<u32>(BUF_LEN, <u32>buffered);
      return;
    }
    compress(BUF, 1);
    buffered = 0;
  }
  const blocks = len >>> 6;
  if (blocks > 0) {
    compress(p, blocks);
    p += blocks << 6; len -= blocks << 6;
  }
  memory.copy(BUF, p, len);
  store<u32>(BUF_LEN, <u32>len);
}

/** Finish: 32-byte digest to out. The working state is left consumed. */
export function sha256Final(out: usize): void {
  const bits = load<u64>(TOTAL) << 3;
  let buffered = <usize>load<u32>(BUF_LEN);
  // FIPS 180-4 §5.1.1: append 1 bit, zeros, then the 64-bit big-endian bit length.
  store<u8>(BUF + buffered, 0x80);
  buffered++;
  if (buffered > 56) {
    memory.fill(BUF + buffered, 0, 64 - buffered);
    compress(BUF, 1);
    buffered = 0;
  }
  memory.fill(BUF + buffered, 0, 56 - buffered);
  storeBe64(BUF + 56, bits);
  compress(BUF, 1);
  for (let i: usize = 0; i < 32; i += 4) {
    storeBe32(out + i, load<u32>(H + i));
  }
}

/** One-shot SHA-256 of len bytes at p into out. */
export function sha256(p: usize, len: usize, out: usize): void {
  sha256Init();
  sha256Update(p, len);
  sha256Final(out);
}

// HMAC pads and scratch: K0 xor ipad / opad (64 each), inner digest (32).
const IPAD: usize = memory.data(64, 16);
const OPAD: usize = memory.data(64, 16);
const INNER: usize = memory.data(32, 16);

/** RFC 2104 key schedule: keys longer than the block are hashed first. */
function hmacKey(key: usize, keyLen: usize): void {
  memory.fill(IPAD, 0, 64);
  if (keyLen > 64) {
    sha256(key, keyLen, IPAD);
  } else {
    memory.copy(IPAD, key, keyLen);
  }
  for (let i: usize = 0; i < 64; i += 8) {
    const k = load<u64>(IPAD + i);
    store<u64>(IPAD + i, k ^ 0x3636363636363636);
    store<u64>(OPAD + i, k ^ 0x5c5c5c5c5c5c5c5c);
  }
}

/** H((K0 ^ opad) || H((K0 ^ ipad) || data)) over data split in two parts (a || b). */
function hmacTwoParts(a: usize, aLen: usize, b: usize, bLen: usize, out: usize): void {
  sha256Init();
  sha256Update(IPAD, 64);
  sha256Update(a, aLen);
  sha256Update(b, bLen);
  sha256Final(INNER);
  sha256Init();
  sha256Update(OPAD, 64);
  sha256Update(INNER, 32);
  sha256Final(out);
}

export function hmacSha256(key: usize, keyLen: usize, data: usize, dataLen: usize, out: usize): void {
  hmacKey(key, keyLen);
  hmacTwoParts(data, dataLen, 0, 0, out);
  wipe(IPAD, 64);
  wipe(OPAD, 64);
  wipe(INNER, 32);
  wipe(STATE, SHA256_STATE_SIZE);
}

// HKDF scratch: PRK (32) and T(i-1) || i (33).
const PRK: usize = memory.data(32, 16);
const T: usize = memory.data(48, 16);

/**
 * RFC 5869 HKDF-SHA256. Output length must be at most 255 * 32 (checked by the wrapper).
 * An empty salt is, per §2.2, HashLen zero bytes; HMAC pads short keys with zeros, so
 * passing the empty salt through unchanged gives the same PRK.
 */
export function hkdfSha256(
  ikm: usize, ikmLen: usize, salt: usize, saltLen: usize,
  info: usize, infoLen: usize, out: usize, outLen: usize,
): void {
  // §2.2 Extract: PRK = HMAC(salt, IKM).
  hmacKey(salt, saltLen);
  hmacTwoParts(ikm, ikmLen, 0, 0, PRK);
  // §2.3 Expand: T(i) = HMAC(PRK, T(i-1) || info || i).
  hmacKey(PRK, 32);
  let tLen: usize = 0;
  let counter: u32 = 1;
  for (let done: usize = 0; done < outLen; counter++) {
    store<u8>(T + tLen, <u8>counter);
    // T(i-1) || i surround info, so hash T(i-1), then info, then the counter byte.
    sha256Init();
    sha256Update(IPAD, 64);
    sha256Update(T, tLen);
    sha256Update(info, infoLen);
    sha256Update(T + tLen, 1);
    sha256Final(INNER);
    sha256Init();
    sha256Update(OPAD, 64);
    sha256Update(INNER, 32);
    sha256Final(T);
    tLen = 32;
    const take = min<usize>(32, outLen - done);
    memory.copy(out + done, T, take);
    done += take;
  }
  wipe(PRK, 32);
  wipe(T, 48);
  wipe(IPAD, 64);
  wipe(OPAD, 64);
  wipe(INNER, 32);
  wipe(STATE, SHA256_STATE_SIZE);
}
