// Simulated firmware (issue 28): requests built byte for byte as the devices build them.
//
// - ioID-SDK, example/linux/solarfarm/pal/pal.c: cJSON_PrintUnformatted of
//   {nonce, projectID, payload{timestamp, value, publicKey}}, h1 = SHA-256 of it,
//   h2 = SHA-256(h1 || LE64(timestamp) || LE64(value)), psa_sign_hash over h2 (raw r || s,
//   low-s normalisation compiled out, so about half are high-s), then the same JSON with
//   "signature" appended. Registration: devRegister.c's signer answers {"hex":"0x…"} with
//   {"sign":"0x<r||s>"} (cJSON_Print: formatted), signing the hash as given.
// - lcore-device-sdk, core/src/jose/jose.c: header {"alg":"ES256","typ":"JWT"}, compact JWS
//   base64url(header).base64url(payload).base64url(r || s) over SHA-256 of the signing input;
//   POST /advance with the hex of {"type":"register_device"|"submit_sensor_data", …}.
import { createHash } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { toHex } from "@lcore/protocol/bytes";
import { ioidDigest } from "@lcore/protocol/ioidMessage";
import { base64UrlEncode } from "@lcore/protocol/jwsMessage";

const sha = (s: string) => new Uint8Array(createHash("sha256").update(s).digest());
const SECP_N = secp256k1.Point.CURVE().n;
const P256_N = p256.Point.CURVE().n;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** cJSON's print_number for the integers firmware sends: "%d" below 2^31, "%1.15g" (plain digits below 10^15) above. */
function cjsonInteger(n: number | bigint): string {
  const v = BigInt(n);
  if (v < 0n || v >= 10n ** 15n) throw new RangeError("the simulated firmware prints integers below 10^15 only");
  return v.toString();
}

function withS(sig: Uint8Array, n: bigint, high: boolean): Uint8Array {
  const s = BigInt(`0x${hex(sig.subarray(32))}`);
  const isHigh = s > n >> 1n;
  if (isHigh === high) return sig;
  const out = sig.slice();
  out.set(Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"), 32);
  return out;
}

export interface IoidDevice {
  secretKey: Uint8Array;
  /** x || y */
  publicKey: Uint8Array;
}

export function ioidDevice(seed: string): IoidDevice {
  const secretKey = sha(`ioid ${seed}`);
  return { secretKey, publicKey: secp256k1.getPublicKey(secretKey, false).slice(1) };
}

/** The JSON pal.c hashes (h1's input) for one reading. */
export function ioidUnsigned(
  dev: IoidDevice,
  r: { nonce: number; projectId: string; timestamp: number; value: number },
) {
  return (
    `{"nonce":${cjsonInteger(r.nonce)},"projectID":${JSON.stringify(r.projectId)},"payload":{"timestamp":${cjsonInteger(r.timestamp)},` +
    `"value":${cjsonInteger(r.value)},"publicKey":"0x04${hex(dev.publicKey)}"}}`
  );
}

/** The request body pal.c sends; `highS` forces the signature's s to the high (or low) twin. */
export function ioidRequest(
  dev: IoidDevice,
  r: { nonce: number; projectId: string; timestamp: number; value: number; highS: boolean },
): Uint8Array {
  const unsigned = ioidUnsigned(dev, r);
  const h2 = ioidDigest(new TextEncoder().encode(unsigned), BigInt(r.timestamp), BigInt(r.value));
  const sig = withS(secp256k1.sign(h2, dev.secretKey, { prehash: false, lowS: false }), SECP_N, r.highS);
  return new TextEncoder().encode(`${unsigned.slice(0, -1)},"signature":"0x${hex(sig)}"}`);
}

/** devRegister.c's signature response to {"hex":"0x<digest>"}: {"sign":"0x<r||s>"} as cJSON_Print formats it. */
export function ioidSignResponse(dev: IoidDevice, digest: Uint8Array, highS: boolean): string {
  const sig = withS(secp256k1.sign(digest, dev.secretKey, { prehash: false, lowS: false }), SECP_N, highS);
  return `{\n\t"sign":\t"0x${hex(sig)}"\n}`;
}

export interface SdkDevice {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** did:lcore:<hex of the first 16 bytes of SHA-256 of the private key>, as did.c derives it. */
  did: string;
}

export function sdkDevice(seed: string): SdkDevice {
  const secretKey = sha(`sdk ${seed}`);
  const did = `did:lcore:${hex(new Uint8Array(createHash("sha256").update(secretKey).digest()).subarray(0, 16))}`;
  return { secretKey, publicKey: p256.getPublicKey(secretKey, false).slice(1), did };
}

/** The DID document the guide shows: a JsonWebKey2020 verification method with the P-256 JWK. */
export function sdkDidDocument(dev: SdkDevice): string {
  const x = base64UrlEncode(dev.publicKey.subarray(0, 32));
  const y = base64UrlEncode(dev.publicKey.subarray(32));
  return JSON.stringify({
    id: dev.did,
    verificationMethod: [{ id: "#key-1", type: "JsonWebKey2020", publicKeyJwk: { kty: "EC", crv: "P-256", x, y } }],
  });
}

/** jose.c's compact JWS of `payload` (the exact JSON text the device signs). */
export function es256Jws(dev: SdkDevice, payload: string, highS = false): string {
  const signingInput = `${base64UrlEncode(new TextEncoder().encode('{"alg":"ES256","typ":"JWT"}'))}.${base64UrlEncode(new TextEncoder().encode(payload))}`;
  const digest = new Uint8Array(createHash("sha256").update(signingInput).digest());
  const sig = withS(p256.sign(digest, dev.secretKey, { prehash: false, lowS: false }), P256_N, highS);
  return `${signingInput}.${base64UrlEncode(sig)}`;
}

/** The body POST /advance receives: 0x-hex of the JSON message, sent as application/json. */
export function sdkAdvanceBody(message: object): string {
  return `0x${Buffer.from(JSON.stringify(message)).toString("hex")}`;
}

export { toHex };
