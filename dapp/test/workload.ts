// A deterministic mixed workload for process-level tests: registrations (by sender and
// by permit), the owners' grants to the gateway (PROTOCOL §3.6), record batches with good
// and bad records (some from a relayer no owner allowed), rotations, revocations, garbage
// and inspect queries. Signs with tiny-secp256k1 (fast); the unit tests sign with noble.
import * as tiny from "tiny-secp256k1";
import { encodeBountyRefundClaim, encodeBountySolution, encodeBountySpec } from "@lcore/protocol/bounty";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration, encodeDeviceRevocation, encodeKeyRotation } from "@lcore/protocol/deviceInputs";
import {
  readingDigest,
  registrationProofDigest,
  rotationProofDigest,
  deviceAddress,
} from "@lcore/protocol/deviceMessage";
import { type WireRecord, encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import {
  ETHER_ASSET,
  encodeErc20Deposit,
  encodeEtherDeposit,
  encodeWalletTransfer,
  encodeWithdrawal,
} from "@lcore/protocol/wallet";
import type { AdvanceMetadata } from "@lcore/dapp";
import { APP, CHAIN_ID, T0, sha } from "./helpers.js";

/** xorshift32: the same numbers on every run and machine. */
export function prng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return { next, below: (n: number) => next() % n, chance: (p: number) => next() % 1000 < p * 1000 };
}

export interface Key {
  secret: Uint8Array;
  publicKey: Uint8Array;
}
export function key(seed: string): Key {
  const secret = sha(`workload ${seed}`);
  return { secret, publicKey: tiny.pointFromScalar(secret, false)!.slice(1) };
}
export const fastSign = (k: Key, digest: Uint8Array) => tiny.sign(digest, k.secret);

interface SimDevice {
  address: Uint8Array;
  key: Key;
  owner: `0x${string}`;
  nextSeq: bigint;
  nonce: bigint;
  revoked: boolean;
}

export type Step =
  | { type: "advance"; metadata: AdvanceMetadata; payload: Uint8Array }
  | { type: "inspect"; payload: Uint8Array };

export const OWNERS = [
  "0x00000000000000000000000000000000000000a1",
  "0x00000000000000000000000000000000000000b2",
] as const;
const GATEWAY = "0x00000000000000000000000000000000000000c3";
/** A relayer no owner allowed: its batches are skipped `submitter_not_allowed`. */
const STRANGER = "0x00000000000000000000000000000000000000e5";
const ETHER_PORTAL = "0xa632c5c05812c6a6149b7af5c56117d1d2603828";
const ERC20_PORTAL = "0xaca6586a0cf05bd831f2501e7b4aea550da6562d";
const TOKEN = fromHex("0x00000000000000000000000000000000000000d4");
// A tier-1 problem: 1 + 2 + 4 = 7.
const BOUNTY_PROBLEM = { tier: 1, elements: [1n, 2n, 4n, 8n, 16n, 32n, 64n, 128n], target: 7n };

export function signedRecord(
  k: Key,
  device: Uint8Array,
  seq: bigint,
  timestamp: bigint,
  payloadLength: number,
): WireRecord {
  const bodyHash = sha(`body ${toHex(device)} ${seq}`);
  const header = { device, seq, timestamp, bodyHash };
  const sealed = new Uint8Array(26 + payloadLength + 32);
  for (let i = 0; i < sealed.length; i++) sealed[i] = (i + Number(seq & 0xffn)) & 0xff;
  return { ...header, signature: fastSign(k, readingDigest(header)), sealed };
}

/** `count` steps; every 25th is an inspect query. */
export function workload(count: number, seed = 7): Step[] {
  const r = prng(seed);
  const steps: Step[] = [];
  const devices: SimDevice[] = [];
  let inputIndex = 0;
  let keys = 0;
  const advance = (payload: Uint8Array, sender: string, dt = 12) => {
    steps.push({
      type: "advance",
      payload,
      metadata: {
        chain_id: CHAIN_ID,
        app_contract: APP,
        msg_sender: sender as `0x${string}`,
        block_number: 1000 + inputIndex,
        block_timestamp: T0 + inputIndex * dt,
        prev_randao: toHex(sha(`randao ${inputIndex}`)),
        input_index: inputIndex,
      },
    });
    inputIndex++;
  };
  const register = () => {
    const k = key(`k${keys++}`);
    const owner = OWNERS[r.below(2)]!;
    const proof = fastSign(k, registrationProofDigest(BigInt(CHAIN_ID), fromHex(APP), fromHex(owner)));
    const metadata = new Uint8Array(r.below(40)).fill(keys & 0xff);
    advance(encodeDeviceRegistration({ publicKey: k.publicKey, proof, metadata, auth: { kind: "sender" } }), owner);
    devices.push({ address: deviceAddress(k.publicKey), key: k, owner, nextSeq: 1n, nonce: 0n, revoked: false });
  };
  for (const owner of OWNERS) advance(encodeSubmitterGrant({ allowed: true, submitter: fromHex(GATEWAY) }), owner);
  for (let i = 0; i < 20; i++) register();
  let bounties = 0;
  /** Deposits, transfers, withdrawals, bounties, solutions (right and wrong) and refund claims. */
  const walletStep = (now: bigint) => {
    const who = OWNERS[r.below(2)]!;
    const asset = r.chance(0.5) ? ETHER_ASSET : TOKEN;
    const amount = BigInt(r.below(1000));
    const kind = r.below(7);
    if (kind === 0) advance(encodeEtherDeposit({ sender: fromHex(who), value: amount }), ETHER_PORTAL);
    else if (kind === 1)
      advance(encodeErc20Deposit({ token: TOKEN, sender: fromHex(who), value: amount }), ERC20_PORTAL);
    else if (kind === 2) {
      const spec = r.chance(0.5)
        ? encodeBountySpec({ mode: "explicit", deadline: now + BigInt(r.below(3000)), problem: BOUNTY_PROBLEM })
        : encodeBountySpec({
            mode: "seeded",
            deadline: now + BigInt(r.below(3000)),
            tier: 1 + r.below(5),
            seed: sha(`seed ${bounties}`),
          });
      advance(
        encodeErc20Deposit({ token: TOKEN, sender: fromHex(who), value: amount, execLayerData: spec }),
        ERC20_PORTAL,
      );
      bounties++;
    } else if (kind === 3) advance(encodeWalletTransfer({ asset, to: fromHex(OWNERS[r.below(2)]!), amount }), who);
    else if (kind === 4) advance(encodeWithdrawal({ asset, amount }), who);
    else if (kind === 5) {
      const indices = r.chance(0.5) ? [0, 1, 2] : [r.below(9), r.below(9)];
      advance(encodeBountySolution({ bountyId: BigInt(1 + r.below(bounties + 1)), indices }), who);
    } else advance(encodeBountyRefundClaim({ bountyId: BigInt(1 + r.below(bounties + 1)) }), GATEWAY);
  };

  while (steps.length < count) {
    if (steps.length % 25 === 24) {
      const d = devices[r.below(devices.length)]!;
      const queries = [
        "counters",
        "state-hash",
        `device/${toHex(d.address)}`,
        `records/${toHex(d.address)}?by=seq&limit=7`,
        `records/${toHex(d.address)}?by=time&from=${T0 - 5000}&limit=5`,
        `record/${toHex(d.address)}/1`,
        "nonsense",
        `balances/${OWNERS[r.below(2)]}`,
        `bounty/${1 + r.below(bounties + 1)}`,
      ];
      steps.push({ type: "inspect", payload: new TextEncoder().encode(queries[r.below(queries.length)]!) });
      continue;
    }
    const now = BigInt(T0 + inputIndex * 12);
    const roll = r.below(100);
    if (roll < 70) {
      const n = 1 + r.below(12);
      const recs: WireRecord[] = [];
      for (let j = 0; j < n; j++) {
        const d = devices[r.below(devices.length)]!;
        const bad = r.below(100);
        const ts = now - BigInt(r.below(600));
        if (bad < 4)
          recs.push(signedRecord(d.key, d.address, d.nextSeq > 1n ? d.nextSeq - 1n : 1n, ts, 4)); // replay
        else if (bad < 7)
          recs.push(signedRecord(key("intruder"), d.address, d.nextSeq + 5n, ts, 4)); // wrong key
        else if (bad < 9)
          recs.push(signedRecord(d.key, d.address, d.nextSeq, now + 7200n, 4)); // from the future
        else if (bad < 10)
          recs.push(signedRecord(key("ghost"), deviceAddress(key("ghost").publicKey), 1n, ts, 4)); // unknown
        else {
          recs.push(signedRecord(d.key, d.address, d.nextSeq, ts, r.below(64)));
          d.nextSeq += 1n + BigInt(r.below(3));
        }
      }
      advance(encodeRecordBatch(recs), r.chance(0.05) ? STRANGER : GATEWAY);
    } else if (roll < 76) {
      const d = devices[r.below(devices.length)]!;
      const next = key(`k${keys++}`);
      const proof = fastSign(next, rotationProofDigest(BigInt(CHAIN_ID), fromHex(APP), d.address, d.nonce));
      const byOwner = r.chance(0.8);
      advance(
        encodeKeyRotation({ device: d.address, newPublicKey: next.publicKey, proof, auth: { kind: "sender" } }),
        byOwner ? d.owner : GATEWAY,
      );
      if (byOwner && !d.revoked) {
        d.key = next;
        d.nonce++;
      }
    } else if (roll < 79) {
      const d = devices[r.below(devices.length)]!;
      advance(encodeDeviceRevocation({ device: d.address, auth: { kind: "sender" } }), d.owner);
      if (!d.revoked) {
        d.revoked = true;
        d.nonce++;
      }
    } else if (roll < 82) {
      register();
    } else if (roll < 87) {
      walletStep(now);
    } else if (roll < 92) {
      const junk = new Uint8Array(r.below(300));
      for (let j = 0; j < junk.length; j++) junk[j] = r.below(256);
      if (junk.length > 0 && r.chance(0.5)) junk[0] = 1 + r.below(4);
      advance(junk, GATEWAY);
    } else {
      const d = devices[r.below(devices.length)]!;
      advance(encodeRecordBatch([signedRecord(key("intruder"), d.address, d.nextSeq, now, 4)]), GATEWAY); // all bad
    }
  }
  return steps;
}
