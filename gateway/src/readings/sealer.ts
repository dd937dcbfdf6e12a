// Dual encryption of reading bodies under the owner's key tree (PROTOCOL §2), through
// the shared protocol module so the dApp's disclosure path reads exactly these bytes.
// The owner master key is held in a Secret and only revealed to HKDF; period keys are
// cached (bounded) because consecutive readings of a device share one.

import { toHex } from "@lcore/protocol/bytes";
import { periodOf } from "@lcore/protocol/deviceMessage";
import { derivePeriodKey, openReading, sealReading } from "@lcore/protocol/sealing";
import type { Secret } from "../util/secrets.js";

export const PERIOD_KEY_CACHE_ENTRIES = 4096;

export class Sealer {
  readonly #ownerKey: Secret<Uint8Array>;
  readonly #app: Uint8Array;
  readonly #cache = new Map<string, Uint8Array>();

  constructor(ownerKey: Secret<Uint8Array>, app: Uint8Array) {
    if (ownerKey.reveal().length !== 32) throw new RangeError("owner master key must be 32 bytes");
    this.#ownerKey = ownerKey;
    this.#app = app;
  }

  /** sealed = ChaCha20-Poly1305(AES-256-GCM(body)), both under record keys of (device, period(timestamp), seq). */
  seal(r: { device: Uint8Array; seq: bigint; timestamp: bigint; digest: Uint8Array; body: Uint8Array }): Uint8Array {
    return sealReading({
      periodKey: this.#periodKey(r.device, r.timestamp),
      app: this.#app,
      device: r.device,
      seq: r.seq,
      digest: r.digest,
      body: r.body,
    });
  }

  /** The body; throws wasm-core's AuthenticationError (releasing nothing) if the record was not sealed by this owner. */
  open(r: { device: Uint8Array; seq: bigint; timestamp: bigint; digest: Uint8Array; sealed: Uint8Array }): Uint8Array {
    return openReading({
      periodKey: this.#periodKey(r.device, r.timestamp),
      app: this.#app,
      device: r.device,
      seq: r.seq,
      digest: r.digest,
      sealed: r.sealed,
    });
  }

  /**
   * The key of one device and disclosure period, for a key disclosure (PROTOCOL §10): a
   * fresh copy, never cached, so the caller may wipe it once the input is encoded.
   */
  disclosureKey(device: Uint8Array, period: number): Uint8Array {
    return derivePeriodKey(this.#ownerKey.reveal(), this.#app, device, period);
  }

  #periodKey(device: Uint8Array, timestamp: bigint): Uint8Array {
    const period = periodOf(timestamp);
    const id = `${toHex(device)}:${period}`;
    const hit = this.#cache.get(id);
    if (hit !== undefined) {
      // Re-insert so Map order stays least-recently-used first.
      this.#cache.delete(id);
      this.#cache.set(id, hit);
      return hit;
    }
    const key = derivePeriodKey(this.#ownerKey.reveal(), this.#app, device, period);
    this.#cache.set(id, key);
    if (this.#cache.size > PERIOD_KEY_CACHE_ENTRIES) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.get(oldest)?.fill(0);
      this.#cache.delete(oldest);
    }
    return key;
  }
}
