import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { PERMIT_TYPES } from "@lcore/protocol/permit";
import {
  T0,
  notices,
  permitDomain,
  registration,
  registrationByPermit,
  reports,
  revocation,
  rotation,
  testDapp,
  testDevice,
  testOwner,
} from "./helpers.js";
import { recomputeState } from "@lcore/dapp";

const owner = testOwner("alice");
const mallory = testOwner("mallory");
const asOwner = { msg_sender: owner.account.address };

function rejectedWith(r: { status: string; outputs: { type: string }[] }, reason: string) {
  expect(r.status).toBe("reject");
  expect(r.outputs.every((o) => o.type === "report")).toBe(true);
  expect(reports(r as never).at(-1)).toMatchObject({ type: "rejected", reason });
}

describe("device registration", () => {
  it("registers with the sender as owner and publishes a notice with the state hash", async () => {
    const { dapp, advance, inspect } = await testDapp();
    const dev = testDevice("d1");
    const r = advance(registration(dev, owner.address, fromHex("0x7b7d")), asOwner);
    expect(r.status).toBe("accept");
    const [n] = notices(r);
    expect(n).toMatchObject({ kind: "device_registered" });
    if (n?.kind !== "device_registered") throw new Error();
    expect(toHex(n.device)).toBe(toHex(dev.address));
    expect(toHex(n.owner)).toBe(owner.account.address.toLowerCase());
    expect(toHex(n.stateHash)).toBe(toHex(dapp.stateHash()));
    const info = inspect(`device/${toHex(dev.address)}`).body;
    expect(info).toEqual({
      device: toHex(dev.address),
      owner: owner.account.address.toLowerCase(),
      publicKey: toHex(dev.publicKey),
      metadata: "0x7b7d",
      status: "active",
      nonce: "0",
      registeredInput: "0",
      registeredAt: String(T0),
      updatedInput: "0",
      lastSeq: null,
      records: "0",
    });
  });

  it("registers through an owner permit submitted by anyone", async () => {
    const { advance, inspect } = await testDapp();
    const dev = testDevice("d1");
    const r = advance(await registrationByPermit(dev, owner, BigInt(T0 + 600)), {
      msg_sender: mallory.account.address,
    });
    expect(r.status).toBe("accept");
    expect(inspect(`device/${toHex(dev.address)}`).body.owner).toBe(owner.account.address.toLowerCase());
  });

  it("refuses an expired permit, a permit for other metadata, and a high-s permit", async () => {
    const { advance } = await testDapp();
    const dev = testDevice("d1");
    rejectedWith(advance(await registrationByPermit(dev, owner, BigInt(T0 - 1))), "permit_expired");

    // Signed for empty metadata, submitted with other metadata: recovers another signer,
    // whom the device never signed for.
    const signature = fromHex(
      await owner.account.signTypedData({
        domain: permitDomain,
        types: PERMIT_TYPES,
        primaryType: "RegisterDevice",
        message: { device: toHex(dev.address), metadata: "0x", deadline: BigInt(T0) },
      }),
    );
    rejectedWith(
      advance(registration(dev, owner.address, fromHex("0x01"), { kind: "permit", deadline: BigInt(T0), signature })),
      "bad_device_proof",
    );

    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const high = signature.slice();
    const s = BigInt(toHex(signature.subarray(32, 64)));
    high.set(fromHex(`0x${(n - s).toString(16).padStart(64, "0")}`), 32);
    high[64] = signature[64] === 27 ? 28 : 27;
    rejectedWith(
      advance(
        registration(dev, owner.address, new Uint8Array(0), { kind: "permit", deadline: BigInt(T0), signature: high }),
      ),
      "bad_permit",
    );
  });

  it("requires the device key's proof of possession bound to the owner", async () => {
    const { advance } = await testDapp();
    const dev = testDevice("d1");
    // Mallory copies the key and tries to register it to herself with a proof for alice.
    rejectedWith(
      advance(registration(dev, owner.address), { msg_sender: mallory.account.address }),
      "bad_device_proof",
    );
  });

  it("refuses a key off the curve and a second registration of the same device", async () => {
    const { advance, dapp } = await testDapp();
    const dev = testDevice("d1");
    rejectedWith(
      advance(registration({ ...dev, publicKey: new Uint8Array(64).fill(1) }, owner.address), asOwner),
      "invalid_public_key",
    );
    expect(advance(registration(dev, owner.address), asOwner).status).toBe("accept");
    const before = toHex(dapp.stateHash());
    rejectedWith(advance(registration(dev, owner.address), asOwner), "device_exists");
    expect(toHex(dapp.stateHash())).toBe(before);
  });
});

describe("key rotation and revocation", () => {
  it("rotates the key: new records verify with the new key only, the device keeps its address", async () => {
    const { advance, inspect } = await testDapp();
    const dev = testDevice("d1");
    const next = testDevice("d1-next");
    advance(registration(dev, owner.address), asOwner);
    const r = advance(rotation(dev.address, next, 0n), asOwner);
    expect(r.status).toBe("accept");
    expect(notices(r)[0]).toMatchObject({ kind: "key_rotated", nonce: 1n });
    const info = inspect(`device/${toHex(dev.address)}`).body;
    expect(info).toMatchObject({
      device: toHex(dev.address),
      publicKey: toHex(next.publicKey),
      nonce: "1",
      updatedInput: "1",
    });
  });

  it("refuses rotation by a non-owner, to the same key, with a stale proof, or of an unknown device", async () => {
    const { advance } = await testDapp();
    const dev = testDevice("d1");
    advance(registration(dev, owner.address), asOwner);
    rejectedWith(
      advance(rotation(dev.address, testDevice("x"), 0n), { msg_sender: mallory.account.address }),
      "not_owner",
    );
    rejectedWith(advance(rotation(dev.address, dev, 0n), asOwner), "same_key");
    rejectedWith(advance(rotation(dev.address, testDevice("x"), 5n), asOwner), "bad_device_proof");
    rejectedWith(advance(rotation(testDevice("nobody").address, testDevice("x"), 0n), asOwner), "unknown_device");
  });

  it("accepts a rotation permit once: its nonce is spent", async () => {
    const { advance } = await testDapp();
    const dev = testDevice("d1");
    const next = testDevice("d1-next");
    advance(registration(dev, owner.address), asOwner);
    const permit = async (key: Uint8Array, nonce: bigint) => ({
      kind: "permit" as const,
      deadline: BigInt(T0 + 60),
      signature: fromHex(
        await owner.account.signTypedData({
          domain: permitDomain,
          types: PERMIT_TYPES,
          primaryType: "RotateDeviceKey",
          message: { device: toHex(dev.address), newPublicKey: toHex(key), nonce, deadline: BigInt(T0 + 60) },
        }),
      ),
    });
    const auth = await permit(next.publicKey, 0n);
    expect(advance(rotation(dev.address, next, 0n, auth)).status).toBe("accept");
    // Replayed: the nonce is now 1, so the digest recovers someone else.
    advance(rotation(dev.address, dev, 1n), asOwner); // back to the first key (nonce 1 → 2)
    rejectedWith(advance(rotation(dev.address, next, 0n, auth)), "not_owner");
  });

  it("revokes: records are then skipped, and the device can be neither rotated nor re-registered", async () => {
    const { advance, inspect } = await testDapp();
    const dev = testDevice("d1");
    advance(registration(dev, owner.address), asOwner);
    rejectedWith(advance(revocation(dev.address), { msg_sender: mallory.account.address }), "not_owner");
    const r = advance(revocation(dev.address), asOwner);
    expect(r.status).toBe("accept");
    expect(notices(r)[0]).toMatchObject({ kind: "device_revoked" });
    expect(inspect(`device/${toHex(dev.address)}`).body).toMatchObject({ status: "revoked", nonce: "1" });
    rejectedWith(advance(revocation(dev.address), asOwner), "device_revoked");
    rejectedWith(advance(rotation(dev.address, testDevice("x"), 1n), asOwner), "device_revoked");
    rejectedWith(advance(registration(dev, owner.address), asOwner), "device_exists");
    expect(inspect("counters").body).toMatchObject({ devices: "1", activeDevices: "0", revokedDevices: "1" });
  });

  it("revokes through a permit", async () => {
    const { advance, dapp } = await testDapp();
    const dev = testDevice("d1");
    advance(registration(dev, owner.address), asOwner);
    const signature = fromHex(
      await owner.account.signTypedData({
        domain: permitDomain,
        types: PERMIT_TYPES,
        primaryType: "RevokeDevice",
        message: { device: toHex(dev.address), nonce: 0n, deadline: BigInt(T0) },
      }),
    );
    expect(advance(revocation(dev.address, { kind: "permit", deadline: BigInt(T0), signature })).status).toBe("accept");
    const s = recomputeState(dapp.store);
    expect(s.revokedDevices).toBe(1n);
    expect(toHex(s.devicesHash)).toBe(toHex(dapp.store.state().devicesHash));
  });

  it("a proof signed for another app or chain does not register", async () => {
    const { advance } = await testDapp();
    const dev = testDevice("d1");
    expect(advance(registration(dev, owner.address), { ...asOwner, chain_id: 1 }).status).toBe("reject");
    expect(advance(registration(dev, owner.address), { ...asOwner, app_contract: `0x${"22".repeat(20)}` }).status).toBe(
      "reject",
    );
  });
});
