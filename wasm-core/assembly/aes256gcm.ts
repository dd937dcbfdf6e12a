// AES-256-GCM (FIPS 197, NIST SP 800-38D). PLACEHOLDER until implemented.
export function aes256GcmSeal(key: usize, nonce: usize, aad: usize, aadLen: usize, msg: usize, msgLen: usize, out: usize): void {
  unreachable();
}
export function aes256GcmOpen(key: usize, nonce: usize, aad: usize, aadLen: usize, sealed: usize, sealedLen: usize, out: usize): u32 {
  unreachable();
  return 0;
}
