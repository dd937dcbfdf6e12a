// The incremental-hash machinery shared by SHA-256 and Keccak-256.
//
// The module has one working state per hash function. A Hasher keeps its own copy of
// that state in JS and swaps it in around each call, so any number of hashers can be
// interleaved (and one-shot calls can run between their updates) without the module
// allocating anything.

import { HASH_CHUNK, assertBytes } from "./bytes.js";
import { IO, type WasmGlobal, ioView } from "./instance.js";

export interface Hasher {
  /** Absorb more data; returns the hasher for chaining. */
  update(data: Uint8Array): Hasher;
  /** Finish and return the 32-byte digest. The hasher cannot be used afterwards. */
  digest(): Uint8Array;
}

export interface HashCore {
  name: string;
  stateSize: number;
  statePtr: number;
  init(): void;
  update(p: number, len: number): void;
  final(out: number): void;
}

/** Feed `data` through the I/O region in HASH_CHUNK pieces. */
function absorb(hash: HashCore, data: Uint8Array): void {
  for (let off = 0; off < data.length; off += HASH_CHUNK) {
    const chunk = data.subarray(off, Math.min(off + HASH_CHUNK, data.length));
    ioView(chunk.length).set(chunk, IO);
    hash.update(IO, chunk.length);
  }
}

function finish(hash: HashCore): Uint8Array {
  const heap = ioView(32);
  hash.final(IO);
  return heap.slice(IO, IO + 32);
}

export function oneShot(hash: HashCore, data: Uint8Array): Uint8Array {
  assertBytes(data, "data");
  hash.init();
  absorb(hash, data);
  return finish(hash);
}

export function createHasher(hash: HashCore): Hasher {
  hash.init();
  const saved = ioView(0).slice(hash.statePtr, hash.statePtr + hash.stateSize);
  let done = false;
  const restore = () => {
    if (done) throw new Error(`${hash.name}: digest() was already called`);
    ioView(0).set(saved, hash.statePtr);
  };
  const hasher: Hasher = {
    update(data) {
      assertBytes(data, "data");
      restore();
      absorb(hash, data);
      saved.set(ioView(0).subarray(hash.statePtr, hash.statePtr + hash.stateSize));
      return hasher;
    },
    digest() {
      restore();
      done = true;
      const out = finish(hash);
      saved.fill(0);
      return out;
    },
  };
  return hasher;
}

export function coreGlobal(g: WasmGlobal): number {
  return g.value as number;
}
