// The devices table: who may send readings, with the key that verifies them.

import type { OutboxDb } from "./database.js";
import { readU64, u64Bytes } from "../hex.js";

export interface DeviceRow {
  address: Uint8Array;
  /** x || y, 64 bytes. */
  publicKey: Uint8Array;
  metadata: string;
  /** The MVP client's device_id when the gateway holds this device's key (custodial). */
  mvpId: string | null;
  lastSeq: bigint | null;
  registeredMs: number;
  /** The registration input. */
  inputId: number;
}

interface RawDeviceRow {
  address: Buffer;
  public_key: Buffer;
  metadata: string;
  mvp_id: string | null;
  last_seq: Buffer | null;
  registered_ms: number;
  input_id: number;
}

function fromRaw(r: RawDeviceRow): DeviceRow {
  return {
    address: new Uint8Array(r.address),
    publicKey: new Uint8Array(r.public_key),
    metadata: r.metadata,
    mvpId: r.mvp_id,
    lastSeq: r.last_seq === null ? null : readU64(r.last_seq),
    registeredMs: r.registered_ms,
    inputId: r.input_id,
  };
}

export class DeviceStore {
  readonly #all;
  readonly #byAddress;
  readonly #byKey;
  readonly #byMvpId;
  readonly #insert;
  readonly #setLastSeq;
  readonly #count;

  constructor(db: OutboxDb) {
    this.#all = db.prepare<[], RawDeviceRow>("SELECT * FROM devices");
    this.#byAddress = db.prepare<[Uint8Array], RawDeviceRow>("SELECT * FROM devices WHERE address = ?");
    this.#byKey = db.prepare<[Uint8Array], RawDeviceRow>("SELECT * FROM devices WHERE public_key = ?");
    this.#byMvpId = db.prepare<[string], RawDeviceRow>("SELECT * FROM devices WHERE mvp_id = ?");
    this.#insert = db.prepare(
      "INSERT INTO devices (address, public_key, metadata, mvp_id, last_seq, registered_ms, input_id) VALUES (?, ?, ?, ?, NULL, ?, ?)",
    );
    // Only ever moves forward, so a group that commits late cannot move it back.
    this.#setLastSeq = db.prepare(
      "UPDATE devices SET last_seq = @seq WHERE address = @address AND (last_seq IS NULL OR last_seq < @seq)",
    );
    this.#count = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM devices");
  }

  all(): DeviceRow[] {
    return this.#all.all().map(fromRaw);
  }

  get(address: Uint8Array): DeviceRow | undefined {
    const r = this.#byAddress.get(address);
    return r === undefined ? undefined : fromRaw(r);
  }

  byPublicKey(publicKey: Uint8Array): DeviceRow | undefined {
    const r = this.#byKey.get(publicKey);
    return r === undefined ? undefined : fromRaw(r);
  }

  byMvpId(mvpId: string): DeviceRow | undefined {
    const r = this.#byMvpId.get(mvpId);
    return r === undefined ? undefined : fromRaw(r);
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }

  /** Call inside the transaction that also creates the registration input. */
  insert(row: Omit<DeviceRow, "lastSeq">): void {
    this.#insert.run(row.address, row.publicKey, row.metadata, row.mvpId, row.registeredMs, row.inputId);
  }

  /** Call inside the group-commit transaction that stores the reading. */
  advanceLastSeq(address: Uint8Array, seq: bigint): void {
    this.#setLastSeq.run({ seq: u64Bytes(seq), address });
  }
}
