// The evidence verifier (@lcore/protocol/evidenceVerify) over a synthetic chain: a bundle
// whose every link holds verifies; one changed byte at each link fails naming that link;
// a withheld reading is reported missing; another chain or application fails. The devnet
// test (evidence.e2e.test.ts) does the same against a real chain through the gateway.

import { describe, expect, it } from "vitest";
import {
  type EvidenceBundle,
  EvidenceFormatError,
  evidenceBundleJson,
  readEvidenceBundle,
} from "@lcore/protocol/evidenceBundle";
import { evidencePasses, formatEvidenceReport } from "@lcore/protocol/evidenceReport";
import { type EvidenceLink, verifyEvidence } from "@lcore/protocol/evidenceVerify";
import { syntheticEvidence } from "../src/evidence/syntheticEvidence.js";

const base = syntheticEvidence({ readings: 150, devices: 2, perInput: 25 });
/** A deep copy through the bundle's JSON form, so each test changes its own. */
const copy = (): EvidenceBundle => readEvidenceBundle(JSON.parse(JSON.stringify(evidenceBundleJson(base.bundle))));
const flip = (b: Uint8Array, i = b.length - 1) => {
  b[i] = b[i]! ^ 0x01;
};

async function firstBroken(b: EvidenceBundle, app?: Uint8Array) {
  const r = await verifyEvidence(b, base.chain, app === undefined ? {} : { application: app });
  const broken = [...r.problems, ...r.readings.flatMap((v) => (v.broken ? [v.broken] : []))];
  return { report: r, broken };
}

describe("verifyEvidence against a synthetic chain", () => {
  it("verifies every reading and states each device-period complete", async () => {
    const r = await verifyEvidence(copy(), base.chain);
    expect(r.problems).toEqual([]);
    expect(r.readings).toHaveLength(150);
    expect(r.readings.filter((v) => v.broken !== undefined)).toEqual([]);
    expect(r.periods.map((p) => [p.count, p.delivered, p.missing, p.gaps])).toEqual([
      [60n, 60n, 0n, 0n],
      [60n, 60n, 0n, 0n],
      [30n, 30n, 0n, 0n],
    ]);
    expect(r.ok && r.complete && evidencePasses(r)).toBe(true);
    const lines = formatEvidenceReport(r);
    expect(lines).toHaveLength(150 + 3 + 1);
    expect(lines.at(-1)).toMatch(/^VERIFIED: 150 of 150 readings hold on chain 31337/);
  });

  const tampers: [string, EvidenceLink, (b: EvidenceBundle) => void][] = [
    ["a plaintext byte", "plaintext", (b) => flip(b.devices[0]!.readings[7]!.plaintext, 20)],
    ["a signature byte", "signature", (b) => flip(b.devices[0]!.readings[7]!.signature, 10)],
    [
      "the seq",
      "seq",
      (b) => {
        const r = b.devices[0]!.readings[7]!;
        r.seq ^= 0x100n;
      },
    ],
    ["a proof sibling", "proof", (b) => flip(b.devices[0]!.readings[7]!.proof[2]!)],
    ["the period root", "period root", (b) => flip(b.devices[0]!.periods[0]!.recordsRoot)],
    ["the device key", "device key", (b) => flip(b.devices[0]!.registration.publicKey)],
    ["the application address", "application", (b) => flip(b.application)],
    ["the record hash", "record hash", (b) => flip(b.devices[0]!.readings[7]!.recordHash)],
    ["the settlement tx", "settlement tx", (b) => flip(b.devices[0]!.periods[0]!.settlementTx)],
  ];
  for (const [what, link, change] of tampers) {
    it(`fails naming "${link}" when ${what} changes by one byte`, async () => {
      const b = copy();
      change(b);
      const { report, broken } = await firstBroken(b);
      expect(report.ok).toBe(false);
      expect(evidencePasses(report, true)).toBe(false);
      expect(broken.length).toBeGreaterThan(0);
      expect(broken[0]!.link).toBe(link);
      expect(broken[0]!.expected).not.toBe(broken[0]!.got);
      expect(formatEvidenceReport(report).join("\n")).toContain(`${link}: `);
    });
  }

  it("names the summary when a committed count is changed", async () => {
    const b = copy();
    b.devices[0]!.periods[1]!.summary.count -= 1n;
    const r = await verifyEvidence(b, base.chain);
    expect(r.periods[1]!.broken?.link).toBe("summary");
    expect(r.ok).toBe(false);
  });

  it("reports a withheld reading as missing: incomplete, unless a subset is accepted", async () => {
    const b = copy();
    b.devices[0]!.readings.splice(70, 1);
    const r = await verifyEvidence(b, base.chain);
    expect(r.ok).toBe(true); // every reading present holds
    expect(r.complete).toBe(false);
    expect(r.periods[1]).toMatchObject({ count: 60n, delivered: 59n, missing: 1n });
    expect(evidencePasses(r)).toBe(false);
    expect(evidencePasses(r, true)).toBe(true);
    expect(formatEvidenceReport(r).join("\n")).toContain("INCOMPLETE 1 missing");
  });

  it("counts a reading listed twice once, and states the seqs skipped when a period is left out", async () => {
    const b = copy();
    const d = b.devices[0]!;
    d.readings.splice(70, 1, d.readings[71]!); // seq 71 withheld, seq 72 listed twice
    const twice = await verifyEvidence(b, base.chain);
    expect(twice.periods[1]).toMatchObject({ delivered: 59n, missing: 1n });
    const c = copy();
    c.devices[0]!.periods.splice(1, 1);
    c.devices[0]!.readings = c.devices[0]!.readings.filter(
      (r) => r.period !== base.bundle.devices[0]!.periods[1]!.period,
    );
    const r = await verifyEvidence(c, base.chain);
    expect(r.ok && r.complete).toBe(true);
    expect(r.periods.map((p) => p.skippedBefore)).toEqual([0n, 60n]);
    expect(formatEvidenceReport(r).join("\n")).toContain("seq 121..150, gaps 0, skipped before 60");
  });

  it("fails a bundle checked against another application or another chain", async () => {
    const other = new Uint8Array(20).fill(0x42);
    const { broken } = await firstBroken(copy(), other);
    expect(broken[0]).toMatchObject({ link: "application", field: "application" });
    const elsewhere = syntheticEvidence({ readings: 2, devices: 1, perInput: 2, chainId: 5n });
    const r = await verifyEvidence(copy(), elsewhere.chain);
    expect(r.problems[0]).toMatchObject({ link: "chain", expected: "5", got: "31337" });
    expect(r.readings.every((v) => v.broken?.link === "chain")).toBe(true);
  });
});

describe("the bundle's JSON form", () => {
  it("reads back what it writes, and names the first field that is not the format", () => {
    expect(copy()).toEqual(base.bundle);
    const json = evidenceBundleJson(base.bundle) as { devices: { readings: { seq: string }[] }[] };
    json.devices[0]!.readings[3]!.seq = "-1";
    expect(() => readEvidenceBundle(json)).toThrow(EvidenceFormatError);
    expect(() => readEvidenceBundle(json)).toThrow("devices[0].readings[3].seq");
    expect(() => readEvidenceBundle({ format: "other" })).toThrow("format");
  });
});
