// Register a device: its key must be on the curve, its address free, and the key must
// sign the owner it is registered to (proof of possession), so nobody can squat a
// device whose public key they merely copied.

import { isValidPublicKey, sec1PublicKey, verifyDigest } from "../crypto/secp256k1.js";
import { toHex } from "@lcore/protocol/bytes";
import { deviceAddress, registrationProofDigest } from "@lcore/protocol/deviceMessage";
import type { DeviceRegistration } from "@lcore/protocol/deviceInputs";
import { encodeNotice } from "@lcore/protocol/notices";
import { registerPermitDigest } from "@lcore/protocol/permit";
import { Rejection } from "../context/rejection.js";
import { foldDevice } from "./fold.js";
import { DEVICE_ACTIVE, type DeviceRow, deviceByAddress, insertDevice } from "./store.js";
import { authorizer } from "./authorize.js";
import { type AdvanceContext, saveState } from "../context/advance.js";
import type { StateRow } from "../state/store.js";

export function handleDeviceRegistration(ctx: AdvanceContext, input: DeviceRegistration): void {
  const { store, meta } = ctx;
  if (!isValidPublicKey(input.publicKey))
    throw new Rejection("invalid_public_key", "public key is not a point on secp256k1");
  const address = deviceAddress(input.publicKey);
  if (deviceByAddress(store, address) !== null)
    throw new Rejection("device_exists", `device ${toHex(address)} is already registered`);

  const domain = { chainId: meta.chainId, app: meta.app };
  const owner = authorizer(ctx, input.auth, (deadline) =>
    registerPermitDigest(domain, address, input.metadata, deadline),
  );
  const proof = registrationProofDigest(meta.chainId, meta.app, owner);
  if (!verifyDigest(proof, sec1PublicKey(input.publicKey), input.proof)) {
    throw new Rejection("bad_device_proof", "the device key did not sign this registration");
  }

  const s = store.state();
  const row = addDevice(ctx, s, { address, publicKey: input.publicKey, owner, metadata: input.metadata });
  const hash = saveState(ctx, s);
  ctx.out.notice(
    encodeNotice({ kind: "device_registered", stateHash: hash, device: address, owner, publicKey: row.publicKey }),
  );
}

/**
 * A new active device: its row inserted, and the state's device count and devices fold
 * moved in `s` (the caller saves the state). Shared by both registrations (0x01, 0x06).
 */
export function addDevice(
  ctx: AdvanceContext,
  s: StateRow,
  d: Pick<DeviceRow, "address" | "publicKey" | "owner" | "metadata">,
): DeviceRow {
  const { meta } = ctx;
  const row: DeviceRow = {
    id: s.devices + 1n,
    address: d.address,
    publicKey: d.publicKey.slice(),
    owner: d.owner.slice(),
    metadata: d.metadata.slice(),
    status: DEVICE_ACTIVE,
    nonce: 0n,
    registeredInput: meta.inputIndex,
    registeredAt: meta.blockTimestamp,
    updatedInput: meta.inputIndex,
  };
  insertDevice(ctx.store, row);
  s.devices += 1n;
  s.devicesHash = foldDevice(s.devicesHash, row);
  return row;
}
