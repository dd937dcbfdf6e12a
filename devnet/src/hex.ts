// Shapes of the hex strings the rollup APIs exchange, checked with the same patterns the
// specs use (specs/rollup-http-api.yaml, the node's OpenRPC document).

import type { Hex } from "./rollupHttpApi.js";

export type { Hex };

/** `0x` followed by whole bytes (the rollup HTTP API's Payload pattern). */
export const BYTES_PATTERN = /^0x(?:[0-9a-fA-F]{2})*$/;
/** A 20-byte address. */
export const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;
/** A 32-byte hash. */
export const HASH_PATTERN = /^0x[0-9a-fA-F]{64}$/;
/** A uint256 as the rollup HTTP server accepts it: 1 to 64 hex digits. */
export const UINT256_PATTERN = /^0x[0-9a-fA-F]{1,64}$/;

export function isBytesHex(value: unknown): value is Hex {
  return typeof value === "string" && BYTES_PATTERN.test(value);
}

export function isAddress(value: unknown): value is Hex {
  return typeof value === "string" && ADDRESS_PATTERN.test(value);
}

/** Number of bytes a validated `0x…` byte string holds. */
export function hexByteLength(hex: Hex): number {
  return (hex.length - 2) / 2;
}

/** Integers on the JSON-RPC API: `0x` + minimal lowercase hex, as the node's `fmt.Sprintf("0x%x")`. */
export function toQuantity(value: number | bigint): Hex {
  return `0x${value.toString(16)}`;
}

export function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

export function hexToBytes(hex: Hex): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}
