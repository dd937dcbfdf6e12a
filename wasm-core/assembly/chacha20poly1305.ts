// ChaCha20-Poly1305 (RFC 8439). PLACEHOLDER until implemented.
export function chacha20Poly1305Seal(key: usize, nonce: usize, aad: usize, aadLen: usize, msg: usize, msgLen: usize, out: usize): void {
  unreachable();
}
export function chacha20Poly1305Open(key: usize, nonce: usize, aad: usize, aadLen: usize, sealed: usize, sealedLen: usize, out: usize): u32 {
  unreachable();
  return 0;
}
