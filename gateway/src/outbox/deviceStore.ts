// The devices table: who may send readings, with the key that verifies them.

import type { OutboxDb } from "./database.js";
import type { Statement } from "./writer.js";
import { readU64, u64Bytes } from "@lcore/protocol/bytes";

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
  /** What the gateway learnt from the chain about the device, null while nothing is wrong (devices/deviceMarks.ts). */
  chainMark: ChainMark | null;
}

/** registration_rejected: the dApp rejected this gateway's registration input; revoked: a 0x83 notice named the device. */
export type ChainStatus = "registration_rejected" | "revoked";

export interface ChainMark {
  status: ChainStatus;
  /** The dApp's reject reason of the registration (device_exists, bad_device_proof, …), or device_revoked. */
  reason: string;
}

interface RawDeviceRow {
  address: Buffer;
  public_key: Buffer;
  metadata: string;
  mvp_id: string | null;
  last_seq: Buffer | null;
  max_seq: Buffer | null;
  registered_ms: number;
  input_id: number;
  chain_status: ChainStatus | null;
  chain_reason: string | null;
}

function fromRaw(r: RawDeviceRow): DeviceRow {
  return {
    address: new Uint8Array(r.address),
    publicKey: new Uint8Array(r.public_key),
    metadata: r.metadata,
    mvpId: r.mvp_id,
    lastSeq: [r.last_seq, r.max_seq].reduce<bigint | null>((m, b) => {
      if (b === null) return m;
      const v = readU64(b, 0);
      return m === null || v > m ? v : m;
    }, null),
    registeredMs: r.registered_ms,
    inputId: r.input_id,
    chainMark: r.chain_status === null ? null : { status: r.chain_status, reason: r.chain_reason ?? "" },
  };
}

// A device's last seq is the larger of devices.last_seq and its highest stored reading.
// The reading commit does not touch the devices table: on the hot path that update cost
// one random B-tree page per device per group (measured: about a third of the commit's
// WAL bytes). The batcher moves devices.last_seq forward when it packs readings, so the
// column stays right even once packed readings are pruned.
const SELECT_DEVICE = `
  SELECT d.*, (SELECT max(r.seq) FROM readings r WHERE r.device = d.address) AS max_seq
  FROM devices d`;

export class DeviceStore {
  readonly #all;
  readonly #byAddress;
  readonly #byKey;
  readonly #byMvpId;
  readonly #count;

  constructor(db: OutboxDb) {
    this.#all = db.prepare<[], RawDeviceRow>(SELECT_DEVICE);
    this.#byAddress = db.prepare<[Uint8Array], RawDeviceRow>(`${SELECT_DEVICE} WHERE d.address = ?`);
    this.#byKey = db.prepare<[Uint8Array], RawDeviceRow>(`${SELECT_DEVICE} WHERE d.public_key = ?`);
    this.#byMvpId = db.prepare<[string], RawDeviceRow>(`${SELECT_DEVICE} WHERE d.mvp_id = ?`);
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

  /** With the batcher's input: forward only, so packing out of order can never move it back. */
  advanceLastSeqStatement(address: Uint8Array, seq: bigint): Statement {
    return {
      sql: "UPDATE devices SET last_seq = @seq WHERE address = @address AND (last_seq IS NULL OR last_seq < @seq)",
      params: { address, seq: u64Bytes(seq) },
    };
  }

  /**
   * Marks the device as the chain sees it. A rejected registration overrides a revocation
   * (the revoked device was someone else's registration of the same address); a revocation
   * never overrides a mark.
   */
  markStatement(address: Uint8Array, mark: ChainMark): Statement {
    const unless =
      mark.status === "registration_rejected"
        ? "chain_status IS NULL OR chain_status = 'revoked'"
        : "chain_status IS NULL";
    return {
      sql: `UPDATE devices SET chain_status = @status, chain_reason = @reason WHERE address = @address AND (${unless})`,
      params: { address, status: mark.status, reason: mark.reason },
    };
  }

  /** The device's key after a rotation the chain announced (a key_rotated notice); its address stays. */
  keyStatement(address: Uint8Array, publicKey: Uint8Array): Statement {
    return {
      sql: "UPDATE devices SET public_key = @public_key WHERE address = @address",
      params: { address, public_key: publicKey },
      expect: 1,
    };
  }

  /** With the registration input's creation. */
  insertStatement(row: Omit<DeviceRow, "lastSeq" | "chainMark">): Statement {
    return {
      sql: `INSERT INTO devices (address, public_key, metadata, mvp_id, last_seq, registered_ms, input_id)
        VALUES (@address, @public_key, @metadata, @mvp_id, NULL, @registered_ms, @input_id)`,
      params: {
        address: row.address,
        public_key: row.publicKey,
        metadata: row.metadata,
        mvp_id: row.mvpId,
        registered_ms: row.registeredMs,
        input_id: row.inputId,
      },
    };
  }
}
