// The evidence bundle (docs/EVIDENCE.md): what an owner hands a third party so that it can
// check readings against the chain alone. JSON, every byte string 0x-hex, every integer a
// decimal string. Nothing in it is trusted by the verifier (evidenceVerify.ts): each field
// is either recomputed or compared with what the chain holds, and the verifier names the
// first field that does not agree.
//
// Pure TypeScript over @lcore/protocol/bytes: it runs in Node and in a browser.

import { parseHex, toHex } from "./bytes.js";

export const EVIDENCE_FORMAT = "lcore-evidence/1";
/** Devices in one bundle at most. */
export const MAX_EVIDENCE_DEVICES = 1_000;
/** Readings in one bundle at most, all devices together (a device-month of minute readings is 44,640). */
export const MAX_EVIDENCE_READINGS = 100_000;
/** Periods per device at most (a year of hourly settlement periods). */
export const MAX_EVIDENCE_PERIODS = 8_784;
/** Siblings in a Merkle proof at most (a tree of 2^40 leaves). */
export const MAX_PROOF_LENGTH = 40;
/** A reading's plaintext at most: lcore's body is ≤ 1050 bytes; other formats may carry a signing input. */
export const MAX_PLAINTEXT_LENGTH = 4_096;

/** What one settled period says about one device, with its proof against the period's devices root. */
export interface EvidenceSummary {
  count: bigint;
  firstSeq: bigint;
  lastSeq: bigint;
  index: number;
  proof: Uint8Array[];
}

export interface EvidencePeriod {
  period: bigint;
  recordsRoot: Uint8Array;
  recordCount: bigint;
  devicesRoot: Uint8Array;
  deviceCount: bigint;
  /** The Application.executeOutput transaction that ran the period's settlePeriod voucher. */
  settlementTx: Uint8Array;
  summary: EvidenceSummary;
}

export interface EvidenceReading {
  /** The message format (messageFormats.ts): how plaintext becomes a digest and how it is signed. */
  format: string;
  seq: bigint;
  timestamp: bigint;
  /** The plaintext as the device hashed it (lcore-v1: the body, nonce || value || payloadLength || payload). */
  plaintext: Uint8Array;
  bodyHash: Uint8Array;
  signature: Uint8Array;
  recordHash: Uint8Array;
  period: bigint;
  /** Leaf index in the period's records tree, and the siblings bottom-up. */
  index: number;
  proof: Uint8Array[];
  /** The InputBox input that carried the record, and the block it is in (a hint for the log query). */
  inputIndex: bigint;
  inputBlock: bigint;
}

export interface EvidenceDevice {
  device: Uint8Array;
  /** The registration input and what the bundle says it registered (the verifier reads the chain's). */
  registration: { inputIndex: bigint; inputBlock: bigint; publicKey: Uint8Array; owner: Uint8Array };
  periods: EvidencePeriod[];
  readings: EvidenceReading[];
}

export interface EvidenceBundle {
  format: typeof EVIDENCE_FORMAT;
  chainId: bigint;
  application: Uint8Array;
  /** "complete": every reading of each listed device-period; "subset": the owner chose some (selective delivery). */
  selection: "complete" | "subset";
  devices: EvidenceDevice[];
}

/** A bundle that is not this format: where, and why. */
export class EvidenceFormatError extends Error {
  override name = "EvidenceFormatError";
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

// ---- reading JSON, strictly ----

type Json = Record<string, unknown>;

function obj(v: unknown, field: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new EvidenceFormatError(field, "not an object");
  return v as Json;
}

function arr(v: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw new EvidenceFormatError(field, "not an array");
  if (v.length > max) throw new EvidenceFormatError(field, `${v.length} entries, at most ${max}`);
  return v;
}

function hex(v: unknown, field: string, length?: number, max = MAX_PLAINTEXT_LENGTH): Uint8Array {
  const b = typeof v === "string" ? parseHex(v) : null;
  if (b === null) throw new EvidenceFormatError(field, "not 0x-hex");
  if (length !== undefined && b.length !== length)
    throw new EvidenceFormatError(field, `${b.length} bytes, not ${length}`);
  if (b.length > max) throw new EvidenceFormatError(field, `${b.length} bytes, at most ${max}`);
  return b;
}

function u64(v: unknown, field: string): bigint {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(v))
    throw new EvidenceFormatError(field, "not a decimal string");
  const n = BigInt(v);
  if (n >= 1n << 64n) throw new EvidenceFormatError(field, "over 64 bits");
  return n;
}

function small(v: unknown, field: string): number {
  const n = u64(v, field);
  if (n >= 1n << 40n) throw new EvidenceFormatError(field, "too large");
  return Number(n);
}

function proof(v: unknown, field: string): Uint8Array[] {
  return arr(v, field, MAX_PROOF_LENGTH).map((x, i) => hex(x, `${field}[${i}]`, 32));
}

function readSummary(v: unknown, f: string): EvidenceSummary {
  const o = obj(v, f);
  return {
    count: u64(o.count, `${f}.count`),
    firstSeq: u64(o.firstSeq, `${f}.firstSeq`),
    lastSeq: u64(o.lastSeq, `${f}.lastSeq`),
    index: small(o.index, `${f}.index`),
    proof: proof(o.proof, `${f}.proof`),
  };
}

function readPeriod(v: unknown, f: string): EvidencePeriod {
  const o = obj(v, f);
  return {
    period: u64(o.period, `${f}.period`),
    recordsRoot: hex(o.recordsRoot, `${f}.recordsRoot`, 32),
    recordCount: u64(o.recordCount, `${f}.recordCount`),
    devicesRoot: hex(o.devicesRoot, `${f}.devicesRoot`, 32),
    deviceCount: u64(o.deviceCount, `${f}.deviceCount`),
    settlementTx: hex(o.settlementTx, `${f}.settlementTx`, 32),
    summary: readSummary(o.summary, `${f}.summary`),
  };
}

function readReading(v: unknown, f: string): EvidenceReading {
  const o = obj(v, f);
  if (typeof o.format !== "string" || o.format.length > 64) throw new EvidenceFormatError(`${f}.format`, "not a name");
  return {
    format: o.format,
    seq: u64(o.seq, `${f}.seq`),
    timestamp: u64(o.timestamp, `${f}.timestamp`),
    plaintext: hex(o.plaintext, `${f}.plaintext`),
    bodyHash: hex(o.bodyHash, `${f}.bodyHash`, 32),
    signature: hex(o.signature, `${f}.signature`, undefined, 132),
    recordHash: hex(o.recordHash, `${f}.recordHash`, 32),
    period: u64(o.period, `${f}.period`),
    index: small(o.index, `${f}.index`),
    proof: proof(o.proof, `${f}.proof`),
    inputIndex: u64(o.inputIndex, `${f}.inputIndex`),
    inputBlock: u64(o.inputBlock, `${f}.inputBlock`),
  };
}

function readDevice(v: unknown, f: string, budget: { readings: number }): EvidenceDevice {
  const o = obj(v, f);
  const reg = obj(o.registration, `${f}.registration`);
  const readings = arr(o.readings, `${f}.readings`, MAX_EVIDENCE_READINGS);
  budget.readings -= readings.length;
  if (budget.readings < 0)
    throw new EvidenceFormatError(f, `more than ${MAX_EVIDENCE_READINGS} readings in the bundle`);
  return {
    device: hex(o.device, `${f}.device`, 20),
    registration: {
      inputIndex: u64(reg.inputIndex, `${f}.registration.inputIndex`),
      inputBlock: u64(reg.inputBlock, `${f}.registration.inputBlock`),
      publicKey: hex(reg.publicKey, `${f}.registration.publicKey`, 64),
      owner: hex(reg.owner, `${f}.registration.owner`, 20),
    },
    periods: arr(o.periods, `${f}.periods`, MAX_EVIDENCE_PERIODS).map((p, i) => readPeriod(p, `${f}.periods[${i}]`)),
    readings: readings.map((r, i) => readReading(r, `${f}.readings[${i}]`)),
  };
}

/** A bundle from its parsed JSON; EvidenceFormatError names the first field that is not the format. */
export function readEvidenceBundle(json: unknown): EvidenceBundle {
  const o = obj(json, "bundle");
  if (o.format !== EVIDENCE_FORMAT) throw new EvidenceFormatError("format", `not ${EVIDENCE_FORMAT}`);
  if (o.selection !== "complete" && o.selection !== "subset")
    throw new EvidenceFormatError("selection", 'neither "complete" nor "subset"');
  const budget = { readings: MAX_EVIDENCE_READINGS };
  return {
    format: EVIDENCE_FORMAT,
    chainId: u64(o.chainId, "chainId"),
    application: hex(o.application, "application", 20),
    selection: o.selection,
    devices: arr(o.devices, "devices", MAX_EVIDENCE_DEVICES).map((d, i) => readDevice(d, `devices[${i}]`, budget)),
  };
}

// ---- writing JSON ----

const proofJson = (p: readonly Uint8Array[]) => p.map(toHex);

/** The bundle as JSON-ready values (hex and decimal strings), fields in the documented order. */
export function evidenceBundleJson(b: EvidenceBundle): Json {
  return {
    format: b.format,
    chainId: b.chainId.toString(),
    application: toHex(b.application),
    selection: b.selection,
    devices: b.devices.map((d) => ({
      device: toHex(d.device),
      registration: {
        inputIndex: d.registration.inputIndex.toString(),
        inputBlock: d.registration.inputBlock.toString(),
        publicKey: toHex(d.registration.publicKey),
        owner: toHex(d.registration.owner),
      },
      periods: d.periods.map((p) => ({
        period: p.period.toString(),
        recordsRoot: toHex(p.recordsRoot),
        recordCount: p.recordCount.toString(),
        devicesRoot: toHex(p.devicesRoot),
        deviceCount: p.deviceCount.toString(),
        settlementTx: toHex(p.settlementTx),
        summary: {
          count: p.summary.count.toString(),
          firstSeq: p.summary.firstSeq.toString(),
          lastSeq: p.summary.lastSeq.toString(),
          index: p.summary.index.toString(),
          proof: proofJson(p.summary.proof),
        },
      })),
      readings: d.readings.map((r) => ({
        format: r.format,
        seq: r.seq.toString(),
        timestamp: r.timestamp.toString(),
        plaintext: toHex(r.plaintext),
        bodyHash: toHex(r.bodyHash),
        signature: toHex(r.signature),
        recordHash: toHex(r.recordHash),
        period: r.period.toString(),
        index: r.index.toString(),
        proof: proofJson(r.proof),
        inputIndex: r.inputIndex.toString(),
        inputBlock: r.inputBlock.toString(),
      })),
    })),
  };
}
