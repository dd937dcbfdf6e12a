// Keys for lcore MVP clients, which cannot sign. For such a device the gateway holds
// (derives) a secp256k1 key and signs its readings itself, so the dApp's rules hold
// unchanged: every record on chain carries a valid device signature. What that
// signature proves is weaker: only that THIS GATEWAY relayed the reading, not that
// the device produced it (see gateway/README.md, "MVP compatibility").
//
// custodialKey = HKDF(ikm = ownerMasterKey, salt = "lcore/v1/gateway/mvp-device",
//                     info = counter(u8) || utf8(device_id), L = 32), the first counter
//                     (from 0) whose output is a valid secp256k1 scalar.
// Deriving, not storing, means the outbox holds no extra secret; the distinct salt keeps
// these keys independent of the sealing tree.

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hkdfSha256 } from "@lcore/wasm-core";
import type { Secret } from "../util/secrets.js";

const SALT = new TextEncoder().encode("lcore/v1/gateway/mvp-device");
const MIGRATION_NONCE_SALT = new TextEncoder().encode("lcore/v1/gateway/mvp-migration-nonce");

export class MvpCustodian {
  readonly #ownerKey: Secret<Uint8Array>;

  constructor(ownerKey: Secret<Uint8Array>) {
    this.#ownerKey = ownerKey;
  }

  #secretKey(deviceId: string): Uint8Array {
    const id = new TextEncoder().encode(deviceId);
    for (let counter = 0; counter < 256; counter++) {
      const info = new Uint8Array(1 + id.length);
      info[0] = counter;
      info.set(id, 1);
      const sk = hkdfSha256(this.#ownerKey.reveal(), SALT, info, 32);
      if (secp256k1.utils.isValidSecretKey(sk)) return sk;
    }
    throw new Error("no valid custodial key"); // probability ~2^-32768
  }

  /** x || y of the device's custodial key. */
  publicKey(deviceId: string): Uint8Array {
    const sk = this.#secretKey(deviceId);
    try {
      return secp256k1.getPublicKey(sk, false).slice(1);
    } finally {
      sk.fill(0);
    }
  }

  /**
   * The body nonce of a migrated MVP row (PROTOCOL §7.7): HKDF(ownerMasterKey, salt, info =
   * rowId(u64) || utf8(device_id), L = 16). Reproducible, so a resent row is the same reading;
   * keyed, so it stays as unguessable as a device's random nonce (it hides the bodyHash preimage).
   */
  migrationNonce(deviceId: string, rowId: bigint): Uint8Array {
    const id = new TextEncoder().encode(deviceId);
    const info = new Uint8Array(8 + id.length);
    new DataView(info.buffer).setBigUint64(0, rowId);
    info.set(id, 8);
    return hkdfSha256(this.#ownerKey.reveal(), MIGRATION_NONCE_SALT, info, 16);
  }

  /** Compact low-s signature of a 32-byte digest (RFC 6979 nonces, so no randomness is needed). */
  sign(deviceId: string, digest: Uint8Array): Uint8Array {
    const sk = this.#secretKey(deviceId);
    try {
      return secp256k1.sign(digest, sk, { prehash: false, lowS: true });
    } finally {
      sk.fill(0);
    }
  }
}
