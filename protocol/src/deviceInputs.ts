// The three device operations: registration, key rotation, revocation (kinds 0x01-0x03).
//
//   registration = 0x01 0x01 publicKey(64) proof(64) metadataLength(u16) metadata auth
//   rotation     = 0x02 0x01 device(20) newPublicKey(64) proof(64) auth
//   revocation   = 0x03 0x01 device(20) auth
//
// publicKey is x || y (uncompressed, no 0x04 prefix); the device's address is derived
// from it (deviceAddress). `proof` is the key's compact low-s signature of
// registrationProofDigest / rotationProofDigest (deviceMessage.ts).

import { MAX_METADATA_LENGTH } from "./bounds.js";
import { type Authorization, authorizationLength, readAuthorization, writeAuthorization } from "./authorization.js";
import { type ByteReader, ByteWriter } from "./bytes.js";
import { DecodeError } from "./errors.js";
import { InputKind, VERSION_1 } from "./kinds.js";

export interface DeviceRegistration {
  kind: "device_registration";
  publicKey: Uint8Array;
  proof: Uint8Array;
  metadata: Uint8Array;
  auth: Authorization;
}

export interface KeyRotation {
  kind: "key_rotation";
  device: Uint8Array;
  newPublicKey: Uint8Array;
  proof: Uint8Array;
  auth: Authorization;
}

export interface DeviceRevocation {
  kind: "device_revocation";
  device: Uint8Array;
  auth: Authorization;
}

export function readDeviceRegistration(r: ByteReader): DeviceRegistration {
  const publicKey = r.take(64, "public key");
  const proof = r.take(64, "device proof");
  const n = r.u16("metadata length");
  if (n > MAX_METADATA_LENGTH) {
    throw new DecodeError("metadata_too_large", `metadata length ${n} over ${MAX_METADATA_LENGTH}`);
  }
  const metadata = r.take(n, "metadata");
  const auth = readAuthorization(r);
  r.end("device registration");
  return { kind: "device_registration", publicKey, proof, metadata, auth };
}

export function readKeyRotation(r: ByteReader): KeyRotation {
  const device = r.take(20, "device");
  const newPublicKey = r.take(64, "new public key");
  const proof = r.take(64, "new key proof");
  const auth = readAuthorization(r);
  r.end("key rotation");
  return { kind: "key_rotation", device, newPublicKey, proof, auth };
}

export function readDeviceRevocation(r: ByteReader): DeviceRevocation {
  const device = r.take(20, "device");
  const auth = readAuthorization(r);
  r.end("device revocation");
  return { kind: "device_revocation", device, auth };
}

export function encodeDeviceRegistration(p: Omit<DeviceRegistration, "kind">): Uint8Array {
  if (p.metadata.length > MAX_METADATA_LENGTH) throw new RangeError(`metadata over ${MAX_METADATA_LENGTH} bytes`);
  const w = new ByteWriter(2 + 128 + 2 + p.metadata.length + authorizationLength(p.auth))
    .u8(InputKind.DeviceRegistration)
    .u8(VERSION_1)
    .bytes(p.publicKey, 64)
    .bytes(p.proof, 64)
    .u16(p.metadata.length)
    .bytes(p.metadata);
  writeAuthorization(w, p.auth);
  return w.finish();
}

export function encodeKeyRotation(p: Omit<KeyRotation, "kind">): Uint8Array {
  const w = new ByteWriter(2 + 20 + 128 + authorizationLength(p.auth))
    .u8(InputKind.KeyRotation)
    .u8(VERSION_1)
    .bytes(p.device, 20)
    .bytes(p.newPublicKey, 64)
    .bytes(p.proof, 64);
  writeAuthorization(w, p.auth);
  return w.finish();
}

export function encodeDeviceRevocation(p: Omit<DeviceRevocation, "kind">): Uint8Array {
  const w = new ByteWriter(2 + 20 + authorizationLength(p.auth))
    .u8(InputKind.DeviceRevocation)
    .u8(VERSION_1)
    .bytes(p.device, 20);
  writeAuthorization(w, p.auth);
  return w.finish();
}
