// Synchronous instantiation of lcore-core.wasm and the I/O region shared with it.
//
// The bytes are embedded (wasm.generated.ts), so loading needs no file system and
// works the same in Node, in an esbuild bundle and inside the Cartesi machine.
// The module imports nothing and owns one memory; every call copies its inputs into
// the I/O region at `ioBase`, runs, and copies its outputs out.

import { wasmBase64 } from "./wasm.generated.js";

// @types/node 20 does not declare the WebAssembly global; these are the parts used here.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmGlobal {
  readonly value: unknown;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmApi };

/** The raw exports of lcore-core.wasm (see assembly/index.ts). Pointers and lengths are byte offsets. */
export interface CoreExports {
  memory: WasmMemory;
  ioBase(): number;
  SHA256_STATE_SIZE: WasmGlobal;
  sha256StatePtr(): number;
  sha256Init(): void;
  sha256Update(p: number, len: number): void;
  sha256Final(out: number): void;
  sha256(p: number, len: number, out: number): void;
  hmacSha256(key: number, keyLen: number, data: number, dataLen: number, out: number): void;
  hkdfSha256(
    ikm: number,
    ikmLen: number,
    salt: number,
    saltLen: number,
    info: number,
    infoLen: number,
    out: number,
    outLen: number,
  ): void;
  KECCAK_STATE_SIZE: WasmGlobal;
  keccakStatePtr(): number;
  keccakInit(): void;
  keccakUpdate(p: number, len: number): void;
  keccakFinal(out: number): void;
  keccak256(p: number, len: number, out: number): void;
  keccak256Each(p: number, len: number, n: number, out: number): void;
  aes256GcmSeal(
    key: number,
    nonce: number,
    aad: number,
    aadLen: number,
    msg: number,
    msgLen: number,
    out: number,
  ): void;
  aes256GcmOpen(
    key: number,
    nonce: number,
    aad: number,
    aadLen: number,
    sealed: number,
    sealedLen: number,
    out: number,
  ): number;
  chacha20Poly1305Seal(
    key: number,
    nonce: number,
    aad: number,
    aadLen: number,
    msg: number,
    msgLen: number,
    out: number,
  ): void;
  chacha20Poly1305Open(
    key: number,
    nonce: number,
    aad: number,
    aadLen: number,
    sealed: number,
    sealedLen: number,
    out: number,
  ): number;
  verifySubsetSum(tier: number, elements: number, n: number, target: bigint, indices: number, m: number): number;
}

function instantiate(): CoreExports {
  // atob, not Buffer: the same module loads in Node (the machine, the gateway) and in the
  // gateway's console page, where there is no Buffer.
  const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
  const module = new WebAssembly.Module(bytes);
  return new WebAssembly.Instance(module, {}).exports as unknown as CoreExports;
}

export const core: CoreExports = instantiate();

const PAGE = 65536;
/** Start of the I/O region; everything below it is the module's static data. */
export const IO: number = core.ioBase();

let heap = new Uint8Array(core.memory.buffer);

/**
 * A view of the whole memory with at least `bytes` bytes of I/O region.
 * memory.grow detaches the old ArrayBuffer, so the view is rebuilt only when that
 * happens; memory never shrinks, so a steady workload allocates nothing.
 */
export function ioView(bytes: number): Uint8Array {
  const needed = IO + bytes;
  if (needed > core.memory.buffer.byteLength) {
    core.memory.grow(Math.ceil((needed - core.memory.buffer.byteLength) / PAGE));
  }
  if (heap.buffer !== core.memory.buffer) heap = new Uint8Array(core.memory.buffer);
  return heap;
}

/** Round up to a multiple of 16 so that every area starts aligned. */
export function align16(n: number): number {
  return (n + 15) & ~15;
}

/** Current size of the module's memory (for tests and monitoring). */
export function memoryBytes(): number {
  return core.memory.buffer.byteLength;
}
