// Register a device of another firmware's format (0x06, PROTOCOL §12.1). An ioID-SDK
// device's secp256k1 key must sign the owner it is registered to, as in 0x01 (the gateway
// hands the dApp the low-s form of whatever the device's signer made). A JWS device's P-256
// key may come without a proof, because lcore-device-sdk's registration carries none: the
// owner vouches for the key (§12.6 says what that can and cannot do); a proof given is checked.

import { isValidPublicKey, sec1PublicKey, verifyDigest } from "../crypto/secp256k1.js";
import { isValidP256Key, verifyP256Digest } from "../crypto/p256.js";
import { toHex } from "@lcore/protocol/bytes";
import { deviceAddress, registrationProofDigest } from "@lcore/protocol/deviceMessage";
import {
  type FormatRegistration,
  encodeFormatRegisteredNotice,
  isP256Format,
  p256DeviceAddress,
} from "@lcore/protocol/deviceFormats";
import { registerPermitDigest } from "@lcore/protocol/permit";
import { Rejection } from "../context/rejection.js";
import { deviceByAddress } from "./store.js";
import { addDevice } from "./registration.js";
import { insertFormat } from "./formats.js";
import { authorizer } from "./authorize.js";
import { type AdvanceContext, saveState } from "../context/advance.js";

export function handleFormatRegistration(ctx: AdvanceContext, input: FormatRegistration): void {
  const { store, meta } = ctx;
  const p256 = isP256Format(input.format);
  if (!(p256 ? isValidP256Key(input.publicKey) : isValidPublicKey(input.publicKey)))
    throw new Rejection("invalid_public_key", `public key is not a point on ${p256 ? "P-256" : "secp256k1"}`);
  const address = p256 ? p256DeviceAddress(input.publicKey) : deviceAddress(input.publicKey);
  if (deviceByAddress(store, address) !== null)
    throw new Rejection("device_exists", `device ${toHex(address)} is already registered`);

  const domain = { chainId: meta.chainId, app: meta.app };
  const owner = authorizer(ctx, input.auth, (deadline) =>
    registerPermitDigest(domain, address, input.metadata, deadline),
  );
  if (input.proof.length > 0) {
    const proof = registrationProofDigest(meta.chainId, meta.app, owner);
    const ok = p256
      ? verifyP256Digest(proof, input.publicKey, input.proof)
      : verifyDigest(proof, sec1PublicKey(input.publicKey), input.proof);
    if (!ok) throw new Rejection("bad_device_proof", "the device key did not sign this registration");
  }

  const s = store.state();
  const row = addDevice(ctx, s, { address, publicKey: input.publicKey, owner, metadata: input.metadata });
  s.formatsHash = insertFormat(store, {
    deviceId: row.id,
    format: input.format,
    scale: input.scale,
    valueField: input.valueField,
  });
  const hash = saveState(ctx, s);
  ctx.out.notice(
    encodeFormatRegisteredNotice({
      stateHash: hash,
      device: address,
      owner,
      format: input.format,
      publicKey: row.publicKey,
    }),
  );
}
