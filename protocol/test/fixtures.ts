// Test fixtures of the protocol: deterministic device and owner keys, signed records and
// the device inputs. The dApp's tests use them too (dapp/test/helpers.ts re-exports them).
import { createHash } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { privateKeyToAccount } from "viem/accounts";
import type { Authorization } from "@lcore/protocol/authorization";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration, encodeDeviceRevocation, encodeKeyRotation } from "@lcore/protocol/deviceInputs";
import {
  deviceAddress,
  encodeReadingBody,
  readingDigest,
  registrationProofDigest,
  rotationProofDigest,
} from "@lcore/protocol/deviceMessage";
import { PERMIT_DOMAIN_NAME, PERMIT_DOMAIN_VERSION, PERMIT_TYPES } from "@lcore/protocol/permit";
import type { WireRecord } from "@lcore/protocol/recordBatch";

export const APP = "0xab7528bb862fb57e8a2bcd567a2e929a0be56a5e" as const;
export const CHAIN_ID = 31337;
export const T0 = 1_763_000_000; // a block timestamp (seconds)

export const sha = (s: string) => new Uint8Array(createHash("sha256").update(s).digest());

export interface TestDevice {
  secretKey: Uint8Array;
  publicKey: Uint8Array; // x || y
  address: Uint8Array;
}

export function testDevice(seed: string): TestDevice {
  const secretKey = sha(`device ${seed}`);
  const publicKey = secp256k1.getPublicKey(secretKey, false).slice(1);
  return { secretKey, publicKey, address: deviceAddress(publicKey) };
}

export function sign(secretKey: Uint8Array, digest: Uint8Array): Uint8Array {
  return secp256k1.sign(digest, secretKey, { prehash: false, lowS: true });
}

/** An EOA for owners: viem account + raw address. */
export function testOwner(seed: string) {
  const account = privateKeyToAccount(toHex(sha(`owner ${seed}`)));
  return { account, address: fromHex(account.address) };
}
export const permitDomain = {
  name: PERMIT_DOMAIN_NAME,
  version: PERMIT_DOMAIN_VERSION,
  chainId: CHAIN_ID,
  verifyingContract: APP,
} as const;

export function registration(
  dev: TestDevice,
  owner: Uint8Array,
  metadata: Uint8Array = new Uint8Array(0),
  auth: Authorization = { kind: "sender" },
): Uint8Array {
  const proof = sign(dev.secretKey, registrationProofDigest(BigInt(CHAIN_ID), fromHex(APP), owner));
  return encodeDeviceRegistration({ publicKey: dev.publicKey, proof, metadata, auth });
}

export async function registrationByPermit(
  dev: TestDevice,
  owner: ReturnType<typeof testOwner>,
  deadline: bigint,
  metadata: Uint8Array = new Uint8Array(0),
) {
  const signature = await owner.account.signTypedData({
    domain: permitDomain,
    types: PERMIT_TYPES,
    primaryType: "RegisterDevice",
    message: { device: toHex(dev.address), metadata: toHex(metadata), deadline },
  });
  return registration(dev, owner.address, metadata, { kind: "permit", deadline, signature: fromHex(signature) });
}

export function rotation(
  device: Uint8Array,
  next: TestDevice,
  nonce: bigint,
  auth: Authorization = { kind: "sender" },
): Uint8Array {
  const proof = sign(next.secretKey, rotationProofDigest(BigInt(CHAIN_ID), fromHex(APP), device, nonce));
  return encodeKeyRotation({ device, newPublicKey: next.publicKey, proof, auth });
}

export function revocation(device: Uint8Array, auth: Authorization = { kind: "sender" }): Uint8Array {
  return encodeDeviceRevocation({ device, auth });
}

/**
 * A signed record. `sealed` stands in for the AEAD output (the dApp never opens it):
 * deterministic bytes of the right length for a body with `payloadLength` bytes.
 */
export function record(
  dev: TestDevice,
  seq: bigint,
  timestamp = BigInt(T0 - 60),
  payloadLength = 8,
  signer: TestDevice = dev,
): WireRecord {
  const body = encodeReadingBody({
    nonce: sha(`nonce ${seq}`).slice(0, 16),
    value: seq * 10n,
    payload: new Uint8Array(payloadLength).fill(7),
  });
  const bodyHash = new Uint8Array(createHash("sha256").update(body).digest());
  const header = { device: dev.address, seq, timestamp, bodyHash };
  const sealed = new Uint8Array(body.length + 32);
  for (let i = 0; i < sealed.length; i++) sealed[i] = (i * 31 + Number(seq % 251n)) & 0xff;
  return { ...header, signature: sign(signer.secretKey, readingDigest(header)), sealed };
}
