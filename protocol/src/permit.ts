// Owner permits: EIP-712 typed data, so an owner signs with an ordinary wallet
// (viem `signTypedData` with PERMIT_TYPES) and any relayer — the gateway — submits.
// The domain binds the chain and the Application contract; the device nonce and the
// deadline (compared with block_timestamp) stop replays.

import { keccak256 } from "@lcore/wasm-core";
import { ascii, concatBytes, u64Bytes } from "./bytes.js";

export const PERMIT_DOMAIN_NAME = "lcore";
export const PERMIT_DOMAIN_VERSION = "1";

/** The EIP-712 types, in the shape viem's signTypedData takes. */
export const PERMIT_TYPES = {
  RegisterDevice: [
    { name: "device", type: "address" },
    { name: "metadata", type: "bytes" },
    { name: "deadline", type: "uint64" },
  ],
  RotateDeviceKey: [
    { name: "device", type: "address" },
    { name: "newPublicKey", type: "bytes" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint64" },
  ],
  RevokeDevice: [
    { name: "device", type: "address" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint64" },
  ],
} as const;

const DOMAIN_TYPEHASH = keccak256(
  ascii("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);
const REGISTER_TYPEHASH = keccak256(ascii("RegisterDevice(address device,bytes metadata,uint64 deadline)"));
const ROTATE_TYPEHASH = keccak256(
  ascii("RotateDeviceKey(address device,bytes newPublicKey,uint64 nonce,uint64 deadline)"),
);
const REVOKE_TYPEHASH = keccak256(ascii("RevokeDevice(address device,uint64 nonce,uint64 deadline)"));

/** A value left-padded to one 32-byte ABI word. */
function word(b: Uint8Array): Uint8Array {
  const w = new Uint8Array(32);
  w.set(b, 32 - b.length);
  return w;
}

export function permitDomainSeparator(chainId: bigint, app: Uint8Array): Uint8Array {
  return keccak256(
    concatBytes(
      DOMAIN_TYPEHASH,
      keccak256(ascii(PERMIT_DOMAIN_NAME)),
      keccak256(ascii(PERMIT_DOMAIN_VERSION)),
      word(u64Bytes(chainId)),
      word(app),
    ),
  );
}

function typedDataDigest(chainId: bigint, app: Uint8Array, structHash: Uint8Array): Uint8Array {
  return keccak256(concatBytes(new Uint8Array([0x19, 0x01]), permitDomainSeparator(chainId, app), structHash));
}

export interface PermitDomain {
  chainId: bigint;
  /** The Application contract. */
  app: Uint8Array;
}

export function registerPermitDigest(
  d: PermitDomain,
  device: Uint8Array,
  metadata: Uint8Array,
  deadline: bigint,
): Uint8Array {
  return typedDataDigest(
    d.chainId,
    d.app,
    keccak256(concatBytes(REGISTER_TYPEHASH, word(device), keccak256(metadata), word(u64Bytes(deadline)))),
  );
}

export function rotatePermitDigest(
  d: PermitDomain,
  device: Uint8Array,
  newPublicKey: Uint8Array,
  nonce: bigint,
  deadline: bigint,
): Uint8Array {
  return typedDataDigest(
    d.chainId,
    d.app,
    keccak256(
      concatBytes(
        ROTATE_TYPEHASH,
        word(device),
        keccak256(newPublicKey),
        word(u64Bytes(nonce)),
        word(u64Bytes(deadline)),
      ),
    ),
  );
}

export function revokePermitDigest(d: PermitDomain, device: Uint8Array, nonce: bigint, deadline: bigint): Uint8Array {
  return typedDataDigest(
    d.chainId,
    d.app,
    keccak256(concatBytes(REVOKE_TYPEHASH, word(device), word(u64Bytes(nonce)), word(u64Bytes(deadline)))),
  );
}
