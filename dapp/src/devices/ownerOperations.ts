// The owner's operations on a registered device: rotate its key, revoke it. Both bump
// the device's nonce (which owner permits carry, so a permit works once) and extend the
// devices fold by the row's new version (fold.ts): O(1), whatever the number of devices.

import { isValidPublicKey, sec1PublicKey, verifyDigest } from "../crypto/secp256k1.js";
import { equalBytes, toHex } from "@lcore/protocol/bytes";
import { rotationProofDigest } from "@lcore/protocol/deviceMessage";
import type { DeviceRevocation, KeyRotation } from "@lcore/protocol/deviceInputs";
import { encodeNotice } from "@lcore/protocol/notices";
import { revokePermitDigest, rotatePermitDigest } from "@lcore/protocol/permit";
import { isP256Format } from "@lcore/protocol/deviceFormats";
import { formatOf } from "./formats.js";
import { Rejection } from "../context/rejection.js";
import { foldDeviceUpdate } from "./fold.js";
import { DEVICE_ACTIVE, DEVICE_REVOKED, type DeviceRow, deviceByAddress, updateDevice } from "./store.js";
import { authorizer, requireOwner } from "./authorize.js";
import { type AdvanceContext, saveState } from "../context/advance.js";

function activeDevice(ctx: AdvanceContext, address: Uint8Array): DeviceRow {
  const d = deviceByAddress(ctx.store, address);
  if (d === null) throw new Rejection("unknown_device", `device ${toHex(address)} is not registered`);
  if (d.status !== DEVICE_ACTIVE) throw new Rejection("device_revoked", `device ${toHex(address)} is revoked`);
  return d;
}

export function handleKeyRotation(ctx: AdvanceContext, input: KeyRotation): void {
  const { store, meta } = ctx;
  const d = activeDevice(ctx, input.device);
  const domain = { chainId: meta.chainId, app: meta.app };
  requireOwner(
    authorizer(ctx, input.auth, (deadline) =>
      rotatePermitDigest(domain, d.address, input.newPublicKey, d.nonce, deadline),
    ),
    d.owner,
  );
  // A rotation's proof and key are secp256k1 (§3.4): a P-256 device keeps its key (PROTOCOL §12.1).
  if (isP256Format(formatOf(store, d.id)?.format ?? 0))
    throw new Rejection("key_type_mismatch", "a P-256 device's key cannot be rotated to a secp256k1 key");
  if (!isValidPublicKey(input.newPublicKey))
    throw new Rejection("invalid_public_key", "new public key is not a point on secp256k1");
  if (equalBytes(input.newPublicKey, d.publicKey)) throw new Rejection("same_key", "the new key is the current key");
  const proof = rotationProofDigest(meta.chainId, meta.app, d.address, d.nonce);
  if (!verifyDigest(proof, sec1PublicKey(input.newPublicKey), input.proof)) {
    throw new Rejection("bad_device_proof", "the new key did not sign this rotation");
  }

  const after = { ...d, publicKey: input.newPublicKey.slice(), nonce: d.nonce + 1n, updatedInput: meta.inputIndex };
  const s = store.state();
  s.devicesHash = foldDeviceUpdate(store, s.devicesHash, d, after, meta.inputIndex);
  updateDevice(store, after);
  const hash = saveState(ctx, s);
  ctx.out.notice(
    encodeNotice({
      kind: "key_rotated",
      stateHash: hash,
      device: d.address,
      newPublicKey: after.publicKey,
      nonce: after.nonce,
    }),
  );
}

export function handleDeviceRevocation(ctx: AdvanceContext, input: DeviceRevocation): void {
  const { store, meta } = ctx;
  const d = activeDevice(ctx, input.device);
  const domain = { chainId: meta.chainId, app: meta.app };
  requireOwner(
    authorizer(ctx, input.auth, (deadline) => revokePermitDigest(domain, d.address, d.nonce, deadline)),
    d.owner,
  );

  const after = { ...d, status: DEVICE_REVOKED, nonce: d.nonce + 1n, updatedInput: meta.inputIndex };
  const s = store.state();
  s.revokedDevices += 1n;
  s.devicesHash = foldDeviceUpdate(store, s.devicesHash, d, after, meta.inputIndex);
  updateDevice(store, after);
  const hash = saveState(ctx, s);
  ctx.out.notice(encodeNotice({ kind: "device_revoked", stateHash: hash, device: d.address }));
}
