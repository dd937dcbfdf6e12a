// Reads for evidence bundles (docs/EVIDENCE.md) over the settlement follower's copy of the
// chain's records (chain_records): which device and seq each record of a period is, so the
// gateway can rebuild the period's device summaries (PROTOCOL §9.1) as the dApp did.

import type { OutboxDb } from "./database.js";
import { readU64 } from "@lcore/protocol/bytes";

export class EvidenceReads {
  readonly #records;

  constructor(db: OutboxDb) {
    this.#records = db.prepare<[number, number], { device: Buffer; seq: Buffer }>(
      "SELECT device, seq FROM chain_records WHERE record_id >= ? AND record_id < ? ORDER BY record_id",
    );
  }

  /** (device, seq) of the records with ids first … first + count − 1, in id order. */
  periodRecords(first: bigint, count: bigint): { device: Uint8Array; seq: bigint }[] {
    return this.#records
      .all(Number(first), Number(first + count))
      .map((r) => ({ device: new Uint8Array(r.device), seq: readU64(new Uint8Array(r.seq), 0) }));
  }
}
