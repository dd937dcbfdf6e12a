// Advance metadata in the form the handlers use: bigints and bytes, checked once.

import { parseHex } from "@lcore/protocol/bytes";
import type { AdvanceMetadata } from "@lcore/devnet/rollup-http-api";

export interface InputMetadata {
  chainId: bigint;
  app: Uint8Array;
  sender: Uint8Array;
  blockNumber: bigint;
  /** Seconds: the only clock the dApp has. */
  blockTimestamp: bigint;
  inputIndex: bigint;
}

export class MetadataError extends Error {
  override name = "MetadataError";
}

function uint(name: string, v: unknown): bigint {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw new MetadataError(`metadata.${name} is not a non-negative integer`);
  return BigInt(v);
}

function addr(name: string, v: unknown): Uint8Array {
  const b = typeof v === "string" ? parseHex(v) : null;
  if (b === null || b.length !== 20) throw new MetadataError(`metadata.${name} is not a 20-byte address`);
  return b;
}

export function parseMetadata(m: AdvanceMetadata): InputMetadata {
  return {
    chainId: uint("chain_id", m.chain_id),
    app: addr("app_contract", m.app_contract),
    sender: addr("msg_sender", m.msg_sender),
    blockNumber: uint("block_number", m.block_number),
    blockTimestamp: uint("block_timestamp", m.block_timestamp),
    inputIndex: uint("input_index", m.input_index),
  };
}
