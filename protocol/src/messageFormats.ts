// Device message formats for the evidence verifier: each is one small check — how the
// plaintext becomes the hash a record publishes, how the record's header and that hash
// become the signed digest, and which signature scheme verifies it against the device's
// registered key. DESIGN §8: firmware signs what it signs; a record names its format and
// each format's rule is written once (PROTOCOL §1 for lcore's own). A new format is one
// more entry in MESSAGE_FORMATS.
//
// Pure TypeScript (wasm-core's hashes, @noble/curves): it runs in Node and in a browser.

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@lcore/wasm-core";
import { type ReadingHeader, decodeReadingBody, readingDigest } from "./deviceMessage.js";

export interface MessageFormat {
  /** The name a bundle's reading carries in `format`. */
  readonly name: string;
  /** The hash of the plaintext the record publishes (its bodyHash), or why the plaintext is not of this format. */
  plaintextHash(plaintext: Uint8Array): Uint8Array | string;
  /** The digest the device signed, from the record's public header (whose bodyHash is plaintextHash's). */
  digest(header: ReadingHeader): Uint8Array;
  /** The signature over the digest by the device's 64-byte public key x || y. */
  verify(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
}

/** PROTOCOL §1: body = nonce || value || payloadLength || payload, digest = SHA-256("LCR1" || device || seq || timestamp || SHA-256(body)), secp256k1 compact low-s. */
export const LCORE_V1: MessageFormat = {
  name: "lcore-v1",
  plaintextHash(plaintext) {
    try {
      decodeReadingBody(plaintext);
    } catch (e) {
      return `not an lcore reading body (${(e as Error).message})`;
    }
    return sha256(plaintext);
  },
  digest: readingDigest,
  verify(digest, signature, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 64) return false;
    const sec1 = new Uint8Array(65);
    sec1[0] = 0x04;
    sec1.set(publicKey, 1);
    try {
      return secp256k1.verify(signature, digest, sec1, { prehash: false, lowS: true });
    } catch {
      return false;
    }
  },
};

/** The formats this verifier knows, by name. */
export const MESSAGE_FORMATS: ReadonlyMap<string, MessageFormat> = new Map([[LCORE_V1.name, LCORE_V1]]);
