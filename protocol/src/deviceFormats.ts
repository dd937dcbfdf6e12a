// Device formats (PROTOCOL §12): firmware that signs what it signs, registered as such.
//
//   format 0  lcore     secp256k1, digest = SHA-256(M) (§1)             registered with 0x01
//   format 1  ioid-sdk  secp256k1, digest = h2 (ioidMessage.ts)          registered with 0x06
//   format 2  jws-es256 P-256,     digest = SHA-256(JWS signing input)   registered with 0x06
//
//   registration = 0x06 0x01 format(u8) publicKey(64) proofLength(u8: 0 | 64) proof scale(u8)
//                  valueFieldLength(u8 ≤ 64) valueField metadataLength(u16 ≤ 256) metadata auth      ≤ 530 bytes
//   notice       = 0x86 0x01 stateHash(32) device(20) owner(20) format(u8) publicKey(64)             139 bytes
//
// A device's records are all of its registered format: a record of a format device keeps
// the §3.5 wire layout, with the digest the device signed where bodyHash is, and its sealed
// body is the exact signed bytes. So the record batch (0x04) is unchanged.

import { keccak256 } from "@lcore/wasm-core";
import { BODY_FIXED_LENGTH, MAX_METADATA_LENGTH, MAX_READING_PAYLOAD } from "./bounds.js";
import { type Authorization, authorizationLength, readAuthorization, writeAuthorization } from "./authorization.js";
import { ByteReader, ByteWriter, ascii } from "./bytes.js";
import { DecodeError } from "./errors.js";
import { InputKind, NoticeKind, VERSION_1 } from "./kinds.js";
import { MAX_VALUE_SCALE } from "./formatValue.js";

export const DeviceFormat = { Lcore: 0, IoidSdk: 1, JwsEs256: 2 } as const;
export type DeviceFormat = (typeof DeviceFormat)[keyof typeof DeviceFormat];
export const FORMAT_NAMES: Record<DeviceFormat, string> = { 0: "lcore", 1: "ioid-sdk", 2: "jws-es256" };

/** Signed bytes a format record may carry: the lcore body's bounds, so sealed stays 58..1082 (§3.5). */
export const MIN_FORMAT_BODY = BODY_FIXED_LENGTH; // 26
export const MAX_FORMAT_BODY = BODY_FIXED_LENGTH + MAX_READING_PAYLOAD; // 1050
/** The name of a JSON field holding the reading's value: 1..64 of [A-Za-z0-9_.-]. */
export const MAX_VALUE_FIELD_LENGTH = 64;
const VALUE_FIELD = /^[A-Za-z0-9_.-]{1,64}$/;
const P256_ADDRESS_TAG = ascii("lcore/v1/p256");

/** The key type of a format: P-256 for JWS ES256, secp256k1 otherwise. */
export function isP256Format(format: number): boolean {
  return format === DeviceFormat.JwsEs256;
}

/**
 * The address of a P-256 device: the last 20 bytes of keccak256("lcore/v1/p256" || x || y).
 * The tag keeps it apart from secp256k1 addresses (keccak256(x || y), §1) of the same bytes.
 */
export function p256DeviceAddress(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 64) throw new RangeError("public key must be 64 bytes x || y");
  const m = new Uint8Array(P256_ADDRESS_TAG.length + 64);
  m.set(P256_ADDRESS_TAG);
  m.set(publicKey, P256_ADDRESS_TAG.length);
  return keccak256(m).slice(12);
}

export function isValueField(s: string): boolean {
  return VALUE_FIELD.test(s);
}

export interface FormatRegistration {
  kind: "format_registration";
  format: DeviceFormat;
  publicKey: Uint8Array;
  /** 64 bytes, or empty (JWS devices only: the SDK's registration has no proof). */
  proof: Uint8Array;
  scale: number;
  /** ASCII field name; empty for ioID-SDK (its value is payload.value). */
  valueField: string;
  metadata: Uint8Array;
  auth: Authorization;
}

export function readFormatRegistration(r: ByteReader): FormatRegistration {
  const format = r.u8("format");
  if (format !== DeviceFormat.IoidSdk && format !== DeviceFormat.JwsEs256)
    throw new DecodeError("unknown_format", `format ${format}`);
  const publicKey = r.take(64, "public key");
  const proofLength = r.u8("proof length");
  if (proofLength !== 0 && proofLength !== 64) throw new DecodeError("bad_device_proof", `proof length ${proofLength}`);
  const proof = r.take(proofLength, "device proof");
  const scale = r.u8("scale");
  const fieldLength = r.u8("value field length");
  let valueField = "";
  for (const b of r.take(fieldLength, "value field")) valueField += String.fromCharCode(b);
  const n = r.u16("metadata length");
  if (n > MAX_METADATA_LENGTH) throw new DecodeError("metadata_too_large", `metadata length ${n}`);
  const metadata = r.take(n, "metadata");
  const auth = readAuthorization(r);
  r.end("format registration");
  checkFormatRules(format, proof.length, scale, valueField);
  return { kind: "format_registration", format, publicKey, proof, scale, valueField, metadata, auth };
}

/** ioID-SDK: a proof, no value field (payload.value is the value). JWS: a value field, scale ≤ 9. */
function checkFormatRules(format: DeviceFormat, proofLength: number, scale: number, valueField: string): void {
  if (format === DeviceFormat.IoidSdk) {
    if (proofLength !== 64)
      throw new DecodeError("bad_device_proof", "an ioID-SDK registration needs the device's proof");
    if (valueField !== "" || scale !== 0)
      throw new DecodeError("bad_value_field", "an ioID-SDK value is payload.value: no field, scale 0");
  } else if (!isValueField(valueField) || scale > MAX_VALUE_SCALE) {
    throw new DecodeError(
      "bad_value_field",
      `value field must be 1..64 of [A-Za-z0-9_.-], scale 0..${MAX_VALUE_SCALE}`,
    );
  }
}

export function encodeFormatRegistration(p: Omit<FormatRegistration, "kind">): Uint8Array {
  checkFormatRules(p.format, p.proof.length, p.scale, p.valueField);
  if (p.metadata.length > MAX_METADATA_LENGTH) throw new RangeError(`metadata over ${MAX_METADATA_LENGTH} bytes`);
  const field = ascii(p.valueField);
  const length = 2 + 1 + 64 + 1 + p.proof.length + 2 + field.length + 2 + p.metadata.length;
  const w = new ByteWriter(length + authorizationLength(p.auth))
    .u8(InputKind.FormatRegistration)
    .u8(VERSION_1)
    .u8(p.format)
    .bytes(p.publicKey, 64)
    .u8(p.proof.length)
    .bytes(p.proof)
    .u8(p.scale)
    .u8(field.length)
    .bytes(field)
    .u16(p.metadata.length)
    .bytes(p.metadata);
  writeAuthorization(w, p.auth);
  return w.finish();
}

export interface FormatRegisteredNotice {
  kind: "format_registered";
  stateHash: Uint8Array;
  device: Uint8Array;
  owner: Uint8Array;
  format: DeviceFormat;
  publicKey: Uint8Array;
}

export function encodeFormatRegisteredNotice(n: Omit<FormatRegisteredNotice, "kind">): Uint8Array {
  return new ByteWriter(139)
    .u8(NoticeKind.FormatRegistered)
    .u8(VERSION_1)
    .bytes(n.stateHash, 32)
    .bytes(n.device, 20)
    .bytes(n.owner, 20)
    .u8(n.format)
    .bytes(n.publicKey, 64)
    .finish();
}

export function decodeFormatRegisteredNotice(bytes: Uint8Array): FormatRegisteredNotice {
  const r = new ByteReader(bytes);
  if (r.u8("notice kind") !== NoticeKind.FormatRegistered) throw new DecodeError("unknown_kind", "not a 0x86 notice");
  if (r.u8("notice version") !== VERSION_1) throw new DecodeError("unsupported_version", "notice version");
  const n: FormatRegisteredNotice = {
    kind: "format_registered",
    stateHash: r.take(32, "state hash").slice(),
    device: r.take(20, "device").slice(),
    owner: r.take(20, "owner").slice(),
    format: r.u8("format") as DeviceFormat,
    publicKey: r.take(64, "public key").slice(),
  };
  r.end("notice");
  return n;
}
