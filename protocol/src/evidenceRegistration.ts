// The device-key link of the evidence verifier: the key a reading is checked against comes
// from the device's registration input as the InputBox logged it, never from the bundle.
// The device's address is keccak256(publicKey)[12:] (PROTOCOL §1), so any registration input
// whose key hashes to the device's address carries that device's key; its proof of
// possession binds the chain, the Application and the owner (PROTOCOL §3.3), which the
// verifier also checks, so a registration copied to another chain or app does not pass.

import { recoverAddress } from "viem";
import { equalBytes, fromHex, toHex } from "./bytes.js";
import { deviceAddress, registrationProofDigest } from "./deviceMessage.js";
import type { EvidenceChain } from "./evidenceChain.js";
import type { EvidenceBundle, EvidenceDevice } from "./evidenceBundle.js";
import type { BrokenLink } from "./evidenceVerify.js";
import { decodeInput } from "./input.js";
import { LCORE_V1 } from "./messageFormats.js";
import { registerPermitDigest } from "./permit.js";

export interface RegisteredKey {
  /** The 64-byte x || y the chain registered (empty when broken). */
  publicKey: Uint8Array;
  owner: Uint8Array;
  broken: BrokenLink | null;
}

const fail = (field: string, expected: string, got: string): RegisteredKey => ({
  publicKey: new Uint8Array(0),
  owner: new Uint8Array(0),
  broken: { link: "device key", field, expected, got },
});

export async function registeredKey(
  chain: EvidenceChain,
  bundle: EvidenceBundle,
  app: Uint8Array,
  device: EvidenceDevice,
  field: string,
): Promise<RegisteredKey> {
  const reg = device.registration;
  const f = `${field}.registration`;
  const [input] = await chain.inputs(app, [reg.inputIndex], reg.inputBlock, reg.inputBlock);
  if (input === undefined)
    return fail(
      `${f}.inputIndex`,
      `input ${reg.inputIndex} of ${toHex(app)} in block ${reg.inputBlock}`,
      "none logged",
    );
  if (input.chainId !== bundle.chainId || !equalBytes(input.app, app))
    return fail(`${f}.inputIndex`, `${bundle.chainId}/${toHex(app)}`, `${input.chainId}/${toHex(input.app)}`);
  let decoded: ReturnType<typeof decodeInput>;
  try {
    decoded = decodeInput(input.payload);
  } catch (e) {
    return fail(`${f}.inputIndex`, "a device registration", (e as Error).message);
  }
  if (decoded.kind !== "device_registration") return fail(`${f}.inputIndex`, "a device registration", decoded.kind);
  const address = deviceAddress(decoded.publicKey);
  if (!equalBytes(address, device.device)) return fail(`${field}.device`, toHex(address), toHex(device.device));

  const owner =
    decoded.auth.kind === "sender"
      ? input.msgSender
      : fromHex(
          await recoverAddress({
            hash: toHex(
              registerPermitDigest({ chainId: input.chainId, app }, address, decoded.metadata, decoded.auth.deadline),
            ),
            signature: toHex(decoded.auth.signature),
          }).catch(() => "0x0000000000000000000000000000000000000000"),
        );
  const pop = registrationProofDigest(input.chainId, app, owner);
  if (!LCORE_V1.verify(pop, decoded.proof, decoded.publicKey))
    return fail(`${f}.inputIndex`, "a proof of possession for this chain, app and owner", "none");
  if (!equalBytes(decoded.publicKey, reg.publicKey))
    return fail(`${f}.publicKey`, toHex(decoded.publicKey), toHex(reg.publicKey));
  if (!equalBytes(owner, reg.owner)) return fail(`${f}.owner`, toHex(owner), toHex(reg.owner));
  return { publicKey: decoded.publicKey.slice(), owner, broken: null };
}
