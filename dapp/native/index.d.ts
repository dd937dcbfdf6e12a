// Types of index.js: lcore's native secp256k1 verifier and its loader.

export declare const REQUIRE_NATIVE_ENV: "LCORE_REQUIRE_NATIVE";
export declare const DISABLE_NATIVE_ENV: "LCORE_DISABLE_NATIVE";
export declare const NATIVE_PATH_ENV: "LCORE_NATIVE_SECP256K1";

export interface NativeSecp256k1 {
  /** The .node that was loaded. */
  readonly path: string;
  /** Which libsecp256k1 it was built from, e.g. "libsecp256k1 0.5.0 (Debian trixie riscv64 libsecp256k1-dev 0.5.0-2+b1)". */
  readonly source: string;
  /**
   * The WASM verifier's verifyDigest: a compact r || s signature (64 bytes, r and s in [1, n-1],
   * s ≤ n/2) of a 32-byte digest by a 33- or 65-byte SEC1 key. Anything else is false, never a throw.
   */
  verifyDigest(digest: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): boolean;
  /** tiny-secp256k1's isPoint for SEC1 keys: 33 or 65 bytes that parse to a point on the curve. */
  isPoint(publicKey: Uint8Array): boolean;
}

export type NativeLoad = { verifier: NativeSecp256k1; reason: undefined } | { verifier: undefined; reason: string };

export declare function addonFileName(platform?: string, arch?: string): string;
export declare function defaultSearchDirs(): string[];
/** The native verifier, or undefined and why; throws only under LCORE_REQUIRE_NATIVE=1 (or with both switches set). */
export declare function loadNativeSecp256k1(options?: { env?: NodeJS.ProcessEnv; dirs?: string[] }): NativeLoad;
/** The one-line warning the dApp prints at start when it falls back to WASM. */
export declare function fallbackNotice(reason: string): string;
