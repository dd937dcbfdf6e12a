// The canonical state hash: a hash over the ordered contents of the tables, never over
// SQLite's file bytes, so it depends on what is stored and not on how a given sql.js
// version lays it out.
//
//   devicesHash = fold(device row versions in the order written),  fold(h, row) = keccak256(h || deviceRowBytes(row)), from 32 zero bytes
//   recordsHash = fold(record rows in id order),  fold(h, row) = keccak256(h || id(u64) || deviceId(u64) || inputIndex(u64) || recordHash)
//                 (devices/fold.ts and records/fold.ts compute them)
//   stateHash   = keccak256("lcore/v1/state" || devicesHash || recordsHash || devices(u64) || revokedDevices(u64)
//                           || records(u64) || batches(u64) || skippedRecords(u64) || lastInputIndex(u64; 2^64 − 1 before the first)
//                           || settlementHash)                  settlementHash: see settlementHash.ts
//
// From the first balance or bounty on (wallet/store.ts: its trees have handed out a slot):
//   stateHash = keccak256("lcore/v2/state+wallet" || the hash above || walletHash)
// so a state without them hashes as before. Likewise, from the first submitter grant on
// (submitters/store.ts):
//   stateHash = keccak256("lcore/v2/state+submitters" || the hash above || submittersHash)
// (v2: both hashes cover Merkle trees of their tables, updated per row, O(depth); the v1
// folds were recomputed from the tables on each such input, O(rows). PROTOCOL §5, §8.5.)
//
// Once a device of another format is registered (devices/formats.ts, PROTOCOL §12):
//   stateHash = keccak256("lcore/v1/state+formats" || the hash above || formatsHash)
//
// The folds and the counters are kept in the `state` row (state/store.ts), which the
// features update; this module only combines them.

import { keccak256 } from "@lcore/wasm-core";
import { ByteWriter, ascii } from "@lcore/protocol/bytes";
import type { StateRow } from "./store.js";

const STATE_TAG = ascii("lcore/v1/state");
const NO_INPUT = (1n << 64n) - 1n;
const STATE_WALLET_TAG = ascii("lcore/v2/state+wallet");
const STATE_SUBMITTERS_TAG = ascii("lcore/v2/state+submitters");
const STATE_FORMATS_TAG = ascii("lcore/v1/state+formats");
export const EMPTY_FOLD: Uint8Array = new Uint8Array(32);

export function stateHash(s: StateRow): Uint8Array {
  let h = baseStateHash(s);
  if (s.walletHash != null)
    h = keccak256(new ByteWriter(85).bytes(STATE_WALLET_TAG).bytes(h, 32).bytes(s.walletHash, 32).finish());
  if (s.submittersHash != null) {
    h = keccak256(new ByteWriter(89).bytes(STATE_SUBMITTERS_TAG).bytes(h, 32).bytes(s.submittersHash, 32).finish());
  }
  if (s.formatsHash != null)
    h = keccak256(new ByteWriter(86).bytes(STATE_FORMATS_TAG).bytes(h, 32).bytes(s.formatsHash, 32).finish());
  return h;
}

function baseStateHash(s: StateRow): Uint8Array {
  return keccak256(
    new ByteWriter(14 + 64 + 48 + 32)
      .bytes(STATE_TAG)
      .bytes(s.devicesHash, 32)
      .bytes(s.recordsHash, 32)
      .u64(s.devices)
      .u64(s.revokedDevices)
      .u64(s.records)
      .u64(s.batches)
      .u64(s.skippedRecords)
      .u64(s.lastInputIndex ?? NO_INPUT)
      .bytes(s.settlementHash, 32)
      .finish(),
  );
}
