// ChaCha20-Poly1305 (RFC 8439) with a 12-byte nonce and a 16-byte tag.

import { aeadOpen, aeadSeal } from "./aead.js";
import { core } from "./instance.js";

/** Encrypt and authenticate: returns ciphertext || tag (16 bytes). */
export function chacha20Poly1305Seal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  return aeadSeal("chacha20-poly1305", core.chacha20Poly1305Seal, key, nonce, plaintext, aad);
}

/** Verify and decrypt ciphertext || tag; throws AuthenticationError, releasing nothing, if it does not verify. */
export function chacha20Poly1305Open(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  return aeadOpen("chacha20-poly1305", core.chacha20Poly1305Open, key, nonce, sealed, aad);
}
