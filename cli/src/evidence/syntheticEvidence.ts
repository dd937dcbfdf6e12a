// A synthetic device-day for the evidence bench and the verifier's unit tests: signed
// readings of a few devices, carried in record-batch inputs, settled hour by hour with
// records and device-summary trees built as the dApp builds them, and an in-memory chain
// (EvidenceChain) that answers what a real one would. Nothing here is used to verify real
// evidence; it only makes bundles and chains whose every link can be checked and broken.

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak256, sha256 } from "@lcore/wasm-core";
import { equalBytes, toHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import {
  deviceAddress,
  encodeReadingBody,
  readingDigest,
  registrationProofDigest,
} from "@lcore/protocol/deviceMessage";
import { type DeviceSummary, deviceSummariesTree, summarizeDevices } from "@lcore/protocol/deviceSummaries";
import {
  EVIDENCE_FORMAT,
  type EvidenceBundle,
  type EvidenceDevice,
  type EvidenceReading,
} from "@lcore/protocol/evidenceBundle";
import type { ChainInput, ChainSettlement, ChainSettlementTx, EvidenceChain } from "@lcore/protocol/evidenceChain";
import { type WireRecord, encodeRecordBatch, recordHash } from "@lcore/protocol/recordBatch";
import { recordsTree } from "@lcore/protocol/recordsTree";
import { SETTLEMENT_PERIOD_SECONDS, settlementAddress } from "@lcore/protocol/settlement";

export interface SyntheticOptions {
  /** Readings per device, one a minute. */
  readings: number;
  devices: number;
  /** Readings per record batch input (all devices interleaved). */
  perInput: number;
  chainId?: bigint;
  app?: Uint8Array;
}

export interface SyntheticEvidence {
  /** A complete bundle of device 0's readings. */
  bundle: EvidenceBundle;
  chain: EvidenceChain;
  app: Uint8Array;
}

const T0 = 1_764_000_000n - (1_764_000_000n % SETTLEMENT_PERIOD_SECONDS);
const seeded = (s: string) => sha256(new TextEncoder().encode(s));

interface Carried {
  rec: WireRecord;
  body: Uint8Array;
  inputIndex: bigint;
  period: bigint;
}

export function syntheticEvidence(o: SyntheticOptions): SyntheticEvidence {
  const chainId = o.chainId ?? 31337n;
  const app = o.app ?? seeded("app").slice(0, 20);
  const owner = seeded("owner").slice(0, 20);
  const keys = Array.from({ length: o.devices }, (_, d) => seeded(`device ${d}`));
  const pubs = keys.map((k) => secp256k1.getPublicKey(k, false).slice(1));
  const inputs = new Map<bigint, ChainInput>();
  const add = (payload: Uint8Array, timestamp: bigint) => {
    const index = BigInt(inputs.size);
    inputs.set(index, {
      index,
      chainId,
      app,
      msgSender: owner,
      blockNumber: index + 1n,
      blockTimestamp: timestamp,
      payload,
    });
    return index;
  };
  for (const [d, pub] of pubs.entries()) {
    const proof = secp256k1.sign(registrationProofDigest(chainId, app, owner), keys[d]!, {
      prehash: false,
      lowS: true,
    });
    add(encodeDeviceRegistration({ publicKey: pub, proof, metadata: new Uint8Array(0), auth: { kind: "sender" } }), T0);
  }
  const carried = carryReadings(o, keys, pubs, add);
  const { settlements, periods } = settle(carried, chainId, app);
  const chain = memoryChain(chainId, app, inputs, settlements);
  const subject = deviceAddress(pubs[0]!);
  const device: EvidenceDevice = {
    device: subject,
    registration: { inputIndex: 0n, inputBlock: 1n, publicKey: pubs[0]!, owner },
    periods: [...periods.values()].map((p) => p.evidence(subject)),
    readings: carried
      .filter((c) => equalBytes(c.rec.device, subject))
      .map((c) => periods.get(c.period)!.reading(c, inputs.get(c.inputIndex)!.blockNumber)),
  };
  return {
    bundle: { format: EVIDENCE_FORMAT, chainId, application: app, selection: "complete", devices: [device] },
    chain,
    app,
  };
}

/** One reading a minute per device, all devices interleaved, perInput readings an input, block time = device time. */
function carryReadings(
  o: SyntheticOptions,
  keys: Uint8Array[],
  pubs: Uint8Array[],
  add: (payload: Uint8Array, timestamp: bigint) => bigint,
): Carried[] {
  const pending: { rec: WireRecord; body: Uint8Array }[] = [];
  const out: Carried[] = [];
  const flush = (t: bigint) => {
    if (pending.length === 0) return;
    const index = add(encodeRecordBatch(pending.map((p) => p.rec)), t);
    for (const p of pending) out.push({ ...p, inputIndex: index, period: t / SETTLEMENT_PERIOD_SECONDS });
    pending.length = 0;
  };
  let lastPeriod = -1n;
  for (let i = 0; i < o.readings; i++) {
    const t = T0 + BigInt(i) * 60n;
    if (t / SETTLEMENT_PERIOD_SECONDS !== lastPeriod) flush(t - 1n);
    lastPeriod = t / SETTLEMENT_PERIOD_SECONDS;
    for (const [d, key] of keys.entries()) {
      const body = encodeReadingBody({
        nonce: seeded(`nonce ${d} ${i}`).slice(0, 16),
        value: BigInt(20_000 + ((i * 7 + d) % 500)),
        payload: new Uint8Array(0),
      });
      const header = { device: deviceAddress(pubs[d]!), seq: BigInt(i + 1), timestamp: t, bodyHash: sha256(body) };
      const signature = secp256k1.sign(readingDigest(header), key, { prehash: false, lowS: true });
      // The sealed bytes stand in for the AEAD output (len(body) + 32): the verifier never opens them.
      const sealed = new Uint8Array(body.length + 32);
      sealed.set(seeded(`sealed ${d} ${i}`));
      pending.push({ rec: { ...header, signature, sealed }, body });
      if (pending.length >= o.perInput) flush(t);
    }
  }
  flush(T0 + BigInt(o.readings - 1) * 60n);
  return out;
}

interface PeriodBuild {
  evidence(device: Uint8Array): EvidenceDevice["periods"][number];
  reading(c: Carried, inputBlock: bigint): EvidenceReading;
}

/** Each period's records tree and device summaries, as the dApp builds them (settle.ts). */
function settle(carried: Carried[], chainId: bigint, app: Uint8Array) {
  const settlements = new Map<bigint, ChainSettlement & { tx: Uint8Array }>();
  const periods = new Map<bigint, PeriodBuild>();
  const byPeriod = new Map<bigint, Carried[]>();
  for (const c of carried) byPeriod.set(c.period, [...(byPeriod.get(c.period) ?? []), c]);
  for (const [period, cs] of byPeriod) {
    const leaves = cs.map((c) => recordHash(c.rec));
    const tree = recordsTree(leaves);
    const summaries: DeviceSummary[] = summarizeDevices(cs.map((c) => c.rec));
    const devTree = deviceSummariesTree(summaries);
    const tx = keccak256(new TextEncoder().encode(`settle ${chainId} ${toHex(app)} ${period}`));
    settlements.set(period, {
      recordsRoot: tree.root,
      recordCount: BigInt(cs.length),
      stateHash: new Uint8Array(32),
      devicesRoot: devTree.root,
      deviceCount: BigInt(summaries.length),
      tx,
    });
    const place = new Map(cs.map((c, i) => [c, i]));
    periods.set(period, {
      evidence(device) {
        const i = summaries.findIndex((s) => equalBytes(s.device, device));
        const s = summaries[i]!;
        return {
          period,
          recordsRoot: tree.root,
          recordCount: BigInt(cs.length),
          devicesRoot: devTree.root,
          deviceCount: BigInt(summaries.length),
          settlementTx: tx,
          summary: { count: s.count, firstSeq: s.firstSeq, lastSeq: s.lastSeq, index: i, proof: devTree.proof(i) },
        };
      },
      reading(c, inputBlock) {
        const i = place.get(c)!;
        return {
          format: "lcore-v1",
          seq: c.rec.seq,
          timestamp: c.rec.timestamp,
          plaintext: c.body,
          bodyHash: c.rec.bodyHash,
          signature: c.rec.signature,
          recordHash: leaves[i]!,
          period,
          index: i,
          proof: tree.proof(i),
          inputIndex: c.inputIndex,
          inputBlock,
        };
      },
    });
  }
  return { settlements, periods };
}

/** An EvidenceChain over the maps: what a node of this chain would answer. */
function memoryChain(
  chainId: bigint,
  app: Uint8Array,
  inputs: Map<bigint, ChainInput>,
  settlements: Map<bigint, ChainSettlement & { tx: Uint8Array }>,
): EvidenceChain {
  const settlement = settlementAddress(app);
  const none: ChainSettlement = {
    recordsRoot: new Uint8Array(32),
    recordCount: 0n,
    stateHash: new Uint8Array(32),
    devicesRoot: new Uint8Array(32),
    deviceCount: 0n,
  };
  return {
    chainId: async () => chainId,
    inputs: async (a, indices, from, to) =>
      equalBytes(a, app)
        ? indices
            .map((i) => inputs.get(i))
            .filter((x): x is ChainInput => x !== undefined && x.blockNumber >= from && x.blockNumber <= to)
        : [],
    hasCode: async (address) => equalBytes(address, settlement),
    settlementApplication: async () => app,
    settlement: async (address, period) => (equalBytes(address, settlement) ? (settlements.get(period) ?? none) : none),
    settlementTx: async (hash): Promise<ChainSettlementTx | null> => {
      for (const [period, s] of settlements)
        if (equalBytes(s.tx, hash)) return { success: true, to: app, settled: [{ emitter: settlement, period }] };
      return null;
    },
  };
}
