// AES-256-GCM (FIPS 197, NIST SP 800-38D) with a 12-byte nonce and a 16-byte tag.

import { aeadOpen, aeadSeal } from "./aead.js";
import { core } from "./instance.js";

/** Encrypt and authenticate: returns ciphertext || tag (16 bytes). */
export function aes256GcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return aeadSeal("aes-256-gcm", core.aes256GcmSeal, key, nonce, plaintext, aad);
}

/** Verify and decrypt ciphertext || tag; throws AuthenticationError, releasing nothing, if it does not verify. */
export function aes256GcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  return aeadOpen("aes-256-gcm", core.aes256GcmOpen, key, nonce, sealed, aad);
}
