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
  const row: DeviceRow = {
    id: s.devices + 1n,
    address,
    publicKey: input.publicKey.slice(),
    owner: owner.slice(),
    metadata: input.metadata.slice(),
    status: DEVICE_ACTIVE,
    nonce: 0n,
    registeredInput: meta.inputIndex,
    registeredAt: meta.blockTimestamp,
    updatedInput: meta.inputIndex,
  };
  insertDevice(store, row);
  s.devices += 1n;
  s.devicesHash = foldDevice(s.devicesHash, row);
  const hash = saveState(ctx, s);
  ctx.out.notice(
    encodeNotice({ kind: "device_registered", stateHash: hash, device: address, owner, publicKey: row.publicKey }),
  );
}
