// The evidence verifier (docs/EVIDENCE.md §3): checks every link of every reading in a
// bundle against the chain alone, through an injected EvidenceChain, trusting nothing the
// bundle says. Per reading, in chain order:
//
//   format → plaintext → input (seq, timestamp, signature as carried on chain) → signature
//   (by the key registered on chain) → device key → record hash → period root → proof →
//   settlement (executed through the Application)
//
// and per device and period, completeness against the committed device summary. The
// first link that does not hold is named with its field, what the chain (or the
// recomputation) expected and what the bundle said.
//
// No node-only import: a buyer's code and a browser run it as the CLI does.

import { equalBytes, toHex } from "./bytes.js";
import { decodeInput } from "./input.js";
import { MESSAGE_FORMATS } from "./messageFormats.js";
import { type DecodedRecord, encodeRecord, recordHash } from "./recordBatch.js";
import { verifyRecordsProof } from "./recordsTree.js";
import { verifyDeviceSummaryProof } from "./deviceSummaries.js";
import { settlementAddress } from "./settlement.js";
import type { ChainInput, ChainSettlement, EvidenceChain } from "./evidenceChain.js";
import type { EvidenceBundle, EvidenceDevice, EvidencePeriod, EvidenceReading } from "./evidenceBundle.js";
import { type RegisteredKey, registeredKey } from "./evidenceRegistration.js";

/** The links a verdict can name (docs/EVIDENCE.md §3). */
export type EvidenceLink =
  | "chain"
  | "application"
  | "format"
  | "plaintext"
  | "input"
  | "seq"
  | "timestamp"
  | "signature"
  | "device key"
  | "record hash"
  | "period root"
  | "proof"
  | "settlement"
  | "settlement tx"
  | "summary";

export interface BrokenLink {
  link: EvidenceLink;
  /** The bundle field (JSON path) the link was read from. */
  field: string;
  expected: string;
  got: string;
}

export interface ReadingVerdict {
  device: `0x${string}`;
  seq: bigint;
  period: bigint;
  /** The first link that does not hold; absent when every link holds. */
  broken?: BrokenLink;
}

/** What the chain commits about one device in one period, and what the bundle delivered of it. */
export interface PeriodCompleteness {
  device: `0x${string}`;
  period: bigint;
  /** From the committed summary (when its proof holds). */
  count: bigint;
  firstSeq: bigint;
  lastSeq: bigint;
  /** Readings of the device-period in the bundle whose every link holds. */
  delivered: bigint;
  /** count − delivered: readings the chain says exist that the bundle does not prove. */
  missing: bigint;
  /** lcore-v1 (seq counts by one): seqs of firstSeq..lastSeq never accepted on chain (the device's own gaps). */
  gaps: bigint;
  /** lcore-v1: seqs between the previous listed period's lastSeq and this firstSeq (0 for the first listed). */
  skippedBefore: bigint;
  broken?: BrokenLink;
}

export interface EvidenceReport {
  ok: boolean;
  /** Every committed reading of every listed device-period is in the bundle and verified. */
  complete: boolean;
  chainId: bigint;
  application: `0x${string}`;
  selection: EvidenceBundle["selection"];
  /** Links broken for the whole bundle (chain, application): every reading reports them too. */
  problems: BrokenLink[];
  readings: ReadingVerdict[];
  periods: PeriodCompleteness[];
}

export interface VerifyEvidenceOptions {
  /** The Application the verifier expects; without it, the bundle's (then checked against the chain's inputs). */
  application?: Uint8Array;
}

const hex = (b: Uint8Array) => toHex(b);
/** Blocks per log query: many public RPCs refuse eth_getLogs over more than 10,000. */
export const LOG_BLOCK_WINDOW = 5_000n;
const broken = (link: EvidenceLink, field: string, expected: string, got: string): BrokenLink => ({
  link,
  field,
  expected,
  got,
});

/** Verify a bundle against the chain. Bundle-level failures are reported, never thrown; chain errors throw. */
export async function verifyEvidence(
  bundle: EvidenceBundle,
  chain: EvidenceChain,
  options: VerifyEvidenceOptions = {},
): Promise<EvidenceReport> {
  const app = options.application ?? bundle.application;
  const problems = await bundleProblems(bundle, chain, app);
  const settlement = settlementAddress(app);
  const readings: ReadingVerdict[] = [];
  const periods: PeriodCompleteness[] = [];
  for (const [d, device] of bundle.devices.entries()) {
    const key: RegisteredKey =
      problems[0] !== undefined
        ? { publicKey: new Uint8Array(0), owner: new Uint8Array(0), broken: problems[0] }
        : await registeredKey(chain, bundle, app, device, `devices[${d}]`);
    // With the chain or the Application wrong, nothing more is read: every link names that.
    const settled =
      problems[0] !== undefined
        ? unreadPeriods(device, `devices[${d}]`, problems[0])
        : await periodFacts(chain, settlement, app, device, `devices[${d}]`);
    const inputs = problems[0] !== undefined ? new Map() : await carryingInputs(chain, app, device.readings);
    const verdicts = device.readings.map((r, i) => {
      const first =
        problems[0] ??
        readingBreak(r, `devices[${d}].readings[${i}]`, device, key, inputs, settled, bundle.chainId, app);
      return { device: hex(device.device), seq: r.seq, period: r.period, ...(first === null ? {} : { broken: first }) };
    });
    readings.push(...verdicts);
    periods.push(...completeness(device, settled, verdicts, problems[0]));
  }
  const ok = problems.length === 0 && readings.every((r) => r.broken === undefined);
  const complete = periods.every((p) => p.broken === undefined && p.missing === 0n);
  return {
    ok: ok && periods.every((p) => p.broken === undefined),
    complete,
    chainId: bundle.chainId,
    application: hex(app),
    selection: bundle.selection,
    problems,
    readings,
    periods,
  };
}

/** The chain is the bundle's; the Application is the one asked for and has lcore's LcoreSettlement. */
async function bundleProblems(bundle: EvidenceBundle, chain: EvidenceChain, app: Uint8Array): Promise<BrokenLink[]> {
  const chainId = await chain.chainId();
  if (chainId !== bundle.chainId) return [broken("chain", "chainId", chainId.toString(), bundle.chainId.toString())];
  if (!equalBytes(app, bundle.application))
    return [broken("application", "application", hex(app), hex(bundle.application))];
  // LcoreSettlement's address is derived from its code and the Application (CREATE2), so code
  // there is lcore's contract bound to this Application: only its vouchers can write it.
  const settlement = settlementAddress(app);
  if (!(await chain.hasCode(settlement)))
    return [broken("application", "application", `LcoreSettlement deployed at ${hex(settlement)}`, "no code there")];
  const bound = await chain.settlementApplication(settlement);
  if (!equalBytes(bound, app)) return [broken("application", "application", hex(app), hex(bound))];
  return [];
}

/** The chain's settlement of each period the device's bundle lists, checked against the bundle's copy. */
interface PeriodFacts {
  chain: ChainSettlement;
  /** The first broken link of the period itself (root, settlement, its transaction), if any. */
  broken: BrokenLink | null;
  listed: EvidencePeriod;
  field: string;
}

async function periodFacts(
  chain: EvidenceChain,
  settlement: Uint8Array,
  app: Uint8Array,
  device: EvidenceDevice,
  field: string,
): Promise<Map<bigint, PeriodFacts>> {
  const out = new Map<bigint, PeriodFacts>();
  for (const [i, p] of device.periods.entries()) {
    const f = `${field}.periods[${i}]`;
    const s = await chain.settlement(settlement, p.period);
    let b: BrokenLink | null = null;
    if (s.recordCount === 0n) b = broken("settlement", `${f}.period`, "a period settled on chain", "not settled");
    else if (!equalBytes(s.recordsRoot, p.recordsRoot))
      b = broken("period root", `${f}.recordsRoot`, hex(s.recordsRoot), hex(p.recordsRoot));
    else if (s.recordCount !== p.recordCount)
      b = broken("period root", `${f}.recordCount`, s.recordCount.toString(), p.recordCount.toString());
    else b = await settlementTxBreak(chain, settlement, app, p, f);
    out.set(p.period, { chain: s, broken: b, listed: p, field: f });
  }
  return out;
}

const UNSETTLED: ChainSettlement = {
  recordsRoot: new Uint8Array(32),
  recordCount: 0n,
  stateHash: new Uint8Array(32),
  devicesRoot: new Uint8Array(32),
  deviceCount: 0n,
};

/** The listed periods, not read from a chain the bundle is not about: each broken by the bundle's problem. */
function unreadPeriods(device: EvidenceDevice, field: string, problem: BrokenLink): Map<bigint, PeriodFacts> {
  return new Map(
    device.periods.map((p, i) => [
      p.period,
      { chain: UNSETTLED, broken: problem, listed: p, field: `${field}.periods[${i}]` },
    ]),
  );
}

/** The settlement transaction ran through the Application (executeOutput) and made LcoreSettlement log the period. */
async function settlementTxBreak(
  chain: EvidenceChain,
  settlement: Uint8Array,
  app: Uint8Array,
  p: EvidencePeriod,
  f: string,
): Promise<BrokenLink | null> {
  const tx = await chain.settlementTx(p.settlementTx);
  const field = `${f}.settlementTx`;
  if (tx === null) return broken("settlement tx", field, "a transaction on chain", "none with that hash");
  if (!tx.success) return broken("settlement tx", field, "a successful transaction", "reverted");
  if (tx.to === null || !equalBytes(tx.to, app))
    return broken(
      "settlement tx",
      field,
      `a call to the Application ${hex(app)}`,
      tx.to === null ? "none" : hex(tx.to),
    );
  const logged = tx.settled.some((e) => equalBytes(e.emitter, settlement) && e.period === p.period);
  if (!logged) return broken("settlement tx", field, `PeriodSettled(${p.period}) by ${hex(settlement)}`, "not logged");
  return null;
}

/** The inputs that carried the readings, by index. */
async function carryingInputs(
  chain: EvidenceChain,
  app: Uint8Array,
  readings: readonly EvidenceReading[],
): Promise<Map<bigint, ChainInput>> {
  // One log query per window of LOG_BLOCK_WINDOW blocks that holds inputs: public RPCs bound a query's block range.
  const windows = new Map<bigint, Set<bigint>>();
  for (const r of readings) {
    const w = r.inputBlock / LOG_BLOCK_WINDOW;
    windows.set(w, (windows.get(w) ?? new Set()).add(r.inputIndex));
  }
  const out = new Map<bigint, ChainInput>();
  for (const [w, indices] of [...windows].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const found = await chain.inputs(app, [...indices], w * LOG_BLOCK_WINDOW, (w + 1n) * LOG_BLOCK_WINDOW - 1n);
    for (const i of found) out.set(i.index, i);
  }
  return out;
}

/** The device's records in an input's record batch (empty if the input is not one). */
function recordsIn(input: ChainInput, device: Uint8Array): DecodedRecord[] {
  try {
    const decoded = decodeInput(input.payload);
    return decoded.kind === "record_batch" ? decoded.records.filter((r) => equalBytes(r.device, device)) : [];
  } catch {
    return [];
  }
}

/** The first broken link of one reading, or null. */
function readingBreak(
  r: EvidenceReading,
  f: string,
  device: EvidenceDevice,
  key: RegisteredKey,
  inputs: Map<bigint, ChainInput>,
  periods: Map<bigint, PeriodFacts>,
  chainId: bigint,
  app: Uint8Array,
): BrokenLink | null {
  const format = MESSAGE_FORMATS.get(r.format);
  if (format === undefined) return broken("format", `${f}.format`, [...MESSAGE_FORMATS.keys()].join(" | "), r.format);
  const plain = format.plaintextHash(r.plaintext);
  if (typeof plain === "string") return broken("plaintext", `${f}.plaintext`, `a ${format.name} plaintext`, plain);
  if (!equalBytes(plain, r.bodyHash)) return broken("plaintext", `${f}.plaintext`, hex(r.bodyHash), hex(plain));

  const onChain = carriedRecord(r, f, device, inputs, chainId, app);
  if ("link" in onChain) return onChain;

  if (key.broken !== null) return key.broken;
  const digest = format.digest({ device: device.device, seq: r.seq, timestamp: r.timestamp, bodyHash: r.bodyHash });
  if (!format.verify(digest, r.signature, key.publicKey))
    return broken(
      "signature",
      `${f}.signature`,
      `a signature of ${hex(digest)} by ${hex(key.publicKey)}`,
      hex(r.signature),
    );

  const leaf = recordHash(encodeRecord(onChain));
  if (!equalBytes(leaf, r.recordHash)) return broken("record hash", `${f}.recordHash`, hex(leaf), hex(r.recordHash));

  const p = periods.get(r.period);
  if (p === undefined) return broken("settlement", `${f}.period`, "a period listed in the bundle", r.period.toString());
  if (p.broken !== null) return p.broken;
  if (!verifyRecordsProof(p.chain.recordsRoot, Number(p.chain.recordCount), leaf, r.index, r.proof))
    return broken("proof", `${f}.proof`, `a path from leaf ${r.index} to ${hex(p.chain.recordsRoot)}`, "another root");
  return null;
}

/**
 * The reading's wire record as the chain carried it: its input is the app's on this chain,
 * is a record batch holding (device, seq), and that record has the bundle's timestamp,
 * body hash and signature.
 */
function carriedRecord(
  r: EvidenceReading,
  f: string,
  device: EvidenceDevice,
  inputs: Map<bigint, ChainInput>,
  chainId: bigint,
  app: Uint8Array,
): DecodedRecord | BrokenLink {
  const input = inputs.get(r.inputIndex);
  if (input === undefined)
    return broken("input", `${f}.inputIndex`, `an input of ${hex(app)} near block ${r.inputBlock}`, "none logged");
  if (input.chainId !== chainId || !equalBytes(input.app, app))
    return broken("input", `${f}.inputIndex`, `${chainId}/${hex(app)}`, `${input.chainId}/${hex(input.app)}`);
  const mine = recordsIn(input, device.device);
  const rec = mine.find((x) => x.seq === r.seq);
  if (rec === undefined)
    return broken("seq", `${f}.seq`, `one of ${mine.map((x) => x.seq).join(", ") || "none"}`, r.seq.toString());
  if (rec.timestamp !== r.timestamp)
    return broken("timestamp", `${f}.timestamp`, rec.timestamp.toString(), r.timestamp.toString());
  if (!equalBytes(rec.bodyHash, r.bodyHash))
    return broken("plaintext", `${f}.bodyHash`, hex(rec.bodyHash), hex(r.bodyHash));
  if (!equalBytes(rec.signature, r.signature))
    return broken("signature", `${f}.signature`, hex(rec.signature), hex(r.signature));
  return rec;
}

/** Per listed period: the committed summary (proved against the chain's devices root) against the verified readings. */
function completeness(
  device: EvidenceDevice,
  periods: Map<bigint, PeriodFacts>,
  verdicts: readonly ReadingVerdict[],
  problem: BrokenLink | undefined,
): PeriodCompleteness[] {
  let previousLast: bigint | null = null;
  const listed = [...periods.values()].sort((a, b) => (a.listed.period < b.listed.period ? -1 : 1));
  return listed.map(({ chain, listed, field: f, broken: periodBroken }) => {
    const s = listed.summary;
    // Distinct seqs: a reading listed twice counts once.
    const seqs = new Set(
      verdicts.filter((v) => v.period === listed.period && v.broken === undefined).map((v) => v.seq),
    );
    const delivered = BigInt(seqs.size);
    const skippedBefore = previousLast !== null && s.firstSeq > previousLast + 1n ? s.firstSeq - previousLast - 1n : 0n;
    previousLast = s.lastSeq;
    const base = {
      device: hex(device.device),
      period: listed.period,
      count: s.count,
      firstSeq: s.firstSeq,
      lastSeq: s.lastSeq,
      delivered,
      missing: s.count > delivered ? s.count - delivered : 0n,
      gaps: s.lastSeq - s.firstSeq + 1n - s.count,
      skippedBefore,
    };
    const first =
      problem ??
      periodBroken ??
      (verifyDeviceSummaryProof(
        chain.devicesRoot,
        Number(chain.deviceCount),
        { device: device.device, count: s.count, firstSeq: s.firstSeq, lastSeq: s.lastSeq },
        s.index,
        s.proof,
      )
        ? null
        : broken("summary", `${f}.summary`, `a summary proved against ${hex(chain.devicesRoot)}`, "another root"));
    return first === null ? base : { ...base, broken: first };
  });
}
