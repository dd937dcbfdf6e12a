// Which shard a new device joins (docs/PROTOCOL.md, "Fleet"): the first 8 bytes of
// keccak256(device address), big-endian, modulo the number of shards at its registration.
// The rule only places new devices: a registered device stays in the shard that holds its
// registration (its seq, records, settlements and disclosures live in that application's
// state), so adding a shard moves nobody and new devices spread over all shards.

import { keccak256 } from "@lcore/wasm-core";

/** Most shards a fleet holds: LcoreFleet.MAX_SHARDS. */
export const MAX_SHARDS = 256;

export function shardForNewDevice(device: Uint8Array, shardCount: number): number {
  if (device.length !== 20) throw new RangeError("a device address is 20 bytes");
  if (!Number.isSafeInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARDS)
    throw new RangeError(`shardCount must be 1..${MAX_SHARDS}`);
  const hash = keccak256(device);
  let prefix = 0n;
  for (let i = 0; i < 8; i++) prefix = (prefix << 8n) | BigInt(hash[i]!);
  return Number(prefix % BigInt(shardCount));
}
