// A simulated device: a secp256k1 key (derived from a seed, so runs are reproducible),
// its address, and the signed messages a real device sends (PROTOCOL §1). Used by
// lcore-sim, the tests and the bench; the gateway itself never holds these keys.

import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  deviceAddress,
  encodeReadingBody,
  readingMessage,
  registrationProofDigest,
} from "@lcore/protocol/deviceMessage";
import { hkdfSha256, sha256 } from "@lcore/wasm-core";
import { randomBytes } from "node:crypto";
import { fromHex, toHex } from "@lcore/protocol/bytes";

export interface SignedReading {
  device: `0x${string}`;
  seq: string;
  timestamp: number;
  nonce: `0x${string}`;
  value: string;
  payload: `0x${string}`;
  signature: `0x${string}`;
}

export interface GatewayInfo {
  app: string;
  chainId: string;
  owner: { address: string };
  /** A fleet gateway's shards (fleet/fleetApp.ts): then a device asks /v1/info?device= for its own. */
  shards?: { shard: number; app: string }[];
}

const SEED_SALT = new TextEncoder().encode("lcore/v1/sim-device");

export class SimDevice {
  readonly #secretKey: Uint8Array;
  /** x || y */
  readonly publicKey: Uint8Array;
  readonly address: Uint8Array;
  readonly hex: `0x${string}`;
  seq = 0n;

  /** `address`: a device whose key was rotated keeps the address of its first key (PROTOCOL §3.3). */
  constructor(secretKey: Uint8Array, address?: Uint8Array) {
    this.#secretKey = secretKey;
    this.publicKey = secp256k1.getPublicKey(secretKey, false).slice(1);
    this.address = address ?? deviceAddress(this.publicKey);
    this.hex = toHex(this.address);
  }

  /** Device `index` of a fleet derived from `seed`: the same seed gives the same keys. */
  static fromSeed(seed: string, index: number): SimDevice {
    for (let counter = 0; ; counter++) {
      const info = new TextEncoder().encode(`${index}/${counter}`);
      const sk = hkdfSha256(new TextEncoder().encode(seed), SEED_SALT, info, 32);
      if (secp256k1.utils.isValidSecretKey(sk)) return new SimDevice(sk);
    }
  }

  static random(): SimDevice {
    return new SimDevice(secp256k1.utils.randomSecretKey());
  }

  /** Compact low-s signature of a digest. */
  signDigest(digest: Uint8Array): Uint8Array {
    return secp256k1.sign(digest, this.#secretKey, { prehash: false, lowS: true });
  }

  /** The body of POST /v1/devices for the gateway described by `info`. */
  registration(info: GatewayInfo, metadata = ""): { publicKey: `0x${string}`; proof: `0x${string}`; metadata: string } {
    const digest = registrationProofDigest(BigInt(info.chainId), fromHex(info.app), fromHex(info.owner.address));
    return { publicKey: toHex(this.publicKey), proof: toHex(this.signDigest(digest)), metadata };
  }

  /** The next reading (seq advances), signed over SHA-256(M). */
  reading(
    opts: { value?: bigint; payload?: Uint8Array; timestamp?: number; seq?: bigint; nonce?: Uint8Array } = {},
  ): SignedReading {
    const seq = opts.seq ?? this.seq + 1n;
    if (seq > this.seq) this.seq = seq;
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const nonce = opts.nonce ?? new Uint8Array(randomBytes(16));
    const value = opts.value ?? 0n;
    const payload = opts.payload ?? new Uint8Array(0);
    const bodyHash = sha256(encodeReadingBody({ nonce, value, payload }));
    const digest = sha256(readingMessage({ device: this.address, seq, timestamp: BigInt(timestamp), bodyHash }));
    return {
      device: this.hex,
      seq: seq.toString(),
      timestamp,
      nonce: toHex(nonce),
      value: value.toString(),
      payload: toHex(payload),
      signature: toHex(this.signDigest(digest)),
    };
  }
}
