// Types of agreement.mjs.
import type { NativeSecp256k1 } from "./index.js";

export interface VerifyCase {
  name: string;
  digest: unknown;
  key: unknown;
  signature: unknown;
  /** The rule's verdict, when the case has one. */
  expected?: boolean;
}
export interface WycheproofCase extends VerifyCase {
  tcId: number;
  wycheproofValid: boolean;
  highS: boolean;
  expected: boolean;
  digest: Uint8Array;
  key: Uint8Array;
  signature: Uint8Array;
}
export declare const N: bigint;
export declare const HALF_N: bigint;
export declare const P: bigint;
export declare const WYCHEPROOF_FILE: URL;
export declare function wasmVerifyDigest(digest: unknown, publicKey: unknown, signature: unknown): boolean;
export declare function wasmIsPoint(publicKey: unknown): boolean;
export declare function fromHex(hex: string): Uint8Array;
export declare function toHex(bytes: Uint8Array): string;
export declare function sha256(data: Uint8Array | string): Uint8Array;
export declare function big(bytes: Uint8Array): bigint;
export declare function be32(value: bigint): Uint8Array;
export declare function compress(key65: Uint8Array): Uint8Array;
export declare function flipS(signature: Uint8Array): Uint8Array;
export declare function wycheproofCases(file?: URL | string): WycheproofCase[];
export declare function signedCase(
  seed: string,
  i: number,
): { digest: Uint8Array; key: Uint8Array; signature: Uint8Array };
export declare function edgeCases(): VerifyCase[];
export declare function pointCases(): { name: string; key: unknown }[];
export declare function randomCases(seed: string, count: number): VerifyCase[];
type Verifier = Pick<NativeSecp256k1, "verifyDigest">;
export declare function compare(
  native: Verifier,
  cases: VerifyCase[],
): { disagreements: string[]; unexpected: string[] };
export declare function comparePoints(
  native: Pick<NativeSecp256k1, "isPoint">,
  cases: { name: string; key: unknown }[],
): string[];
