// lcore's side of cli's tests: the built dApp (dapp/dist, built by `pretest`) and devices with
// deterministic secp256k1 keys signing records as firmware does (PROTOCOL §3).

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { deviceAddress, encodeReadingBody, readingDigest } from "@lcore/protocol/deviceMessage";
import type { WireRecord } from "@lcore/protocol/recordBatch";

const MAIN_JS = fileURLToPath(new URL("../../../dapp/dist/main.js", import.meta.url));

/** dapp/dist/main.js, the dApp as the node runs it. */
export function builtMain(): string {
  if (!existsSync(MAIN_JS))
    throw new Error("dapp/dist/main.js is missing: run `npm run build` (npm test does it in pretest)");
  return MAIN_JS;
}

const sha = (s: string | Uint8Array) => new Uint8Array(createHash("sha256").update(s).digest());

export interface TestDevice {
  secretKey: Uint8Array;
  /** x ‖ y */
  publicKey: Uint8Array;
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

/** A signed record of `dev` whose sealed bytes are filler: the dApp checks the signature, not the seal. */
export function record(dev: TestDevice, seq: bigint, timestamp: bigint): WireRecord {
  const body = encodeReadingBody({
    nonce: sha(`nonce ${seq}`).slice(0, 16),
    value: seq * 10n,
    payload: new Uint8Array(8).fill(7),
  });
  const header = { device: dev.address, seq, timestamp, bodyHash: sha(body) };
  const sealed = new Uint8Array(body.length + 32);
  for (let i = 0; i < sealed.length; i++) sealed[i] = (i * 31 + Number(seq % 251n)) & 0xff;
  return { ...header, signature: sign(dev.secretKey, readingDigest(header)), sealed };
}
