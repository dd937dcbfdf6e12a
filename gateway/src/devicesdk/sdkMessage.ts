// lcore-device-sdk's transport (PROTOCOL §12.3, docs/INTEGRATION_GUIDE.md of the SDK): POST
// /advance with Content-Type application/json and, as body, the hex of a JSON message
// (with or without 0x). Two messages:
//   {"type":"register_device","device_id":"did:lcore:…","did_document":"<JSON text>"}
//   {"type":"submit_sensor_data","device_id":"did:lcore:…","encrypted_payload":"<compact JWS, ES256>"}
// (encrypted_payload is the SDK's name; the JWS is signed, not encrypted).

import { base64UrlDecode } from "@lcore/protocol/jwsMessage";
import { GatewayError } from "../http/errors.js";

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type SdkMessage =
  | { type: "register_device"; deviceId: string; publicKey: Uint8Array }
  | { type: "submit_sensor_data"; deviceId: string; jws: string };

const invalid = (why: string) => new GatewayError("LCORE_GW_FORMAT_INVALID", why, { details: { reason: "bad_field" } });

export function parseSdkBody(raw: Buffer): SdkMessage {
  let text = raw.toString("latin1").trim();
  if (text.startsWith("0x") || text.startsWith("0X")) text = text.slice(2);
  if (text.length === 0 || text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text))
    throw new GatewayError("LCORE_GW_FORMAT_INVALID", "the body must be the hex of a JSON message", {
      details: { reason: "not_json" },
    });
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(text, "hex")));
  } catch {
    throw new GatewayError("LCORE_GW_FORMAT_INVALID", "the hex is not UTF-8 JSON", { details: { reason: "not_json" } });
  }
  if (typeof doc !== "object" || doc === null) throw invalid("the message is not a JSON object");
  const m = doc as Record<string, unknown>;
  if (typeof m.device_id !== "string" || !DEVICE_ID.test(m.device_id))
    throw invalid("device_id must be 1..128 of [A-Za-z0-9._:-]");
  if (m.type === "register_device") return { type: m.type, deviceId: m.device_id, publicKey: didKey(m.did_document) };
  if (m.type === "submit_sensor_data") {
    if (typeof m.encrypted_payload !== "string" || m.encrypted_payload.length > 4096)
      throw invalid("encrypted_payload must be a compact JWS of at most 4096 characters");
    return { type: m.type, deviceId: m.device_id, jws: m.encrypted_payload };
  }
  throw invalid("type must be register_device or submit_sensor_data");
}

/** x || y of the P-256 JWK in the DID document (a JSON string, as the SDK sends it, or an object). */
function didKey(didDocument: unknown): Uint8Array {
  let doc = didDocument;
  if (typeof doc === "string") {
    try {
      doc = JSON.parse(doc);
    } catch {
      throw invalid("did_document is not JSON");
    }
  }
  const methods = (doc as { verificationMethod?: unknown } | null)?.verificationMethod;
  if (!Array.isArray(methods)) throw invalid("did_document has no verificationMethod list");
  for (const vm of methods.slice(0, 16)) {
    const jwk = (vm as { publicKeyJwk?: Record<string, unknown> } | null)?.publicKeyJwk;
    if (jwk?.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.x !== "string" || typeof jwk.y !== "string") continue;
    const x = base64UrlDecode(jwk.x);
    const y = base64UrlDecode(jwk.y);
    if (x === null || y === null || x.length !== 32 || y.length !== 32)
      throw invalid("the JWK's x and y must be 32 bytes");
    const key = new Uint8Array(64);
    key.set(x);
    key.set(y, 32);
    return key;
  }
  throw invalid("did_document has no EC P-256 publicKeyJwk");
}
