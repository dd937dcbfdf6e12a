// Devices of another firmware's format (PROTOCOL §12) and lcore-device-sdk registrations
// waiting for the owner's approval (§12.6). Tables in database.ts (v11).

import type { OutboxDb } from "./database.js";
import type { Statement } from "./writer.js";

export interface DeviceFormatRow {
  /** 20-byte device address. */
  address: Uint8Array;
  /** 1 ioID-SDK, 2 JWS ES256. */
  format: number;
  scale: number;
  valueField: string;
  /** The lcore-device-sdk device_id (did:lcore:…) a JWS device posts under; null for ioID-SDK. */
  sdkId: string | null;
}

export interface PendingSdkDevice {
  deviceId: string;
  /** x || y of the P-256 key in the DID document's JWK. */
  publicKey: Uint8Array;
  receivedMs: number;
}

interface RawFormatRow {
  address: Buffer;
  format: number;
  scale: number;
  value_field: string;
  sdk_id: string | null;
}

interface RawPending {
  device_id: string;
  public_key: Buffer;
  received_ms: number;
}

export class DeviceFormatStore {
  readonly #all;
  readonly #pending;
  readonly #pendingOne;
  readonly #pendingCount;

  constructor(db: OutboxDb) {
    this.#all = db.prepare<[], RawFormatRow>("SELECT * FROM device_formats");
    this.#pending = db.prepare<[number], RawPending>(
      "SELECT device_id, public_key, received_ms FROM sdk_pending ORDER BY received_ms, device_id LIMIT ?",
    );
    this.#pendingOne = db.prepare<[string], RawPending>(
      "SELECT device_id, public_key, received_ms FROM sdk_pending WHERE device_id = ?",
    );
    this.#pendingCount = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sdk_pending");
  }

  all(): DeviceFormatRow[] {
    return this.#all.all().map((r) => ({
      address: new Uint8Array(r.address),
      format: r.format,
      scale: r.scale,
      valueField: r.value_field,
      sdkId: r.sdk_id,
    }));
  }

  insertStatement(r: DeviceFormatRow): Statement {
    return {
      sql: "INSERT INTO device_formats (address, format, scale, value_field, sdk_id) VALUES (?, ?, ?, ?, ?)",
      params: [r.address, r.format, r.scale, r.valueField, r.sdkId],
    };
  }

  pending(limit: number): PendingSdkDevice[] {
    return this.#pending.all(limit).map(fromPending);
  }

  pendingDevice(deviceId: string): PendingSdkDevice | undefined {
    const r = this.#pendingOne.get(deviceId);
    return r === undefined ? undefined : fromPending(r);
  }

  pendingCount(): number {
    return this.#pendingCount.get()!.n;
  }

  insertPendingStatement(p: PendingSdkDevice): Statement {
    return {
      sql: "INSERT INTO sdk_pending (device_id, public_key, received_ms) VALUES (?, ?, ?)",
      params: [p.deviceId, p.publicKey, p.receivedMs],
    };
  }

  deletePendingStatement(deviceId: string): Statement {
    return { sql: "DELETE FROM sdk_pending WHERE device_id = ?", params: [deviceId] };
  }
}

function fromPending(r: RawPending): PendingSdkDevice {
  return { deviceId: r.device_id, publicKey: new Uint8Array(r.public_key), receivedMs: r.received_ms };
}
