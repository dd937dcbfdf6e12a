// The twin-run determinism test: the same 1,000 requests through two fresh dApp
// processes over the rollup HTTP API must give the same outputs, reports and statuses
// request by request, and the same final state hash — also equal to an in-process run.
import { describe, expect, it } from "vitest";
import { Dapp } from "@lcore/dapp";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { decodeNotice } from "@lcore/protocol/notices";
import { decodeOutput } from "@lcore/devnet";
import { startDappProcess } from "./process.js";
import { type Step, workload } from "./workload.js";

async function drive(steps: Step[]) {
  const running = await startDappProcess();
  try {
    // Queue everything at once: the server hands requests over strictly in order.
    const results = await Promise.all(
      steps.map((s) =>
        s.type === "advance"
          ? running.server.advance(s.metadata, toHex(s.payload))
          : running.server.inspect(toHex(s.payload)),
      ),
    );
    const final = await running.server.inspect(toHex(new TextEncoder().encode("state-hash")));
    return { results, final };
  } finally {
    await running.stop();
  }
}

describe("twin run", () => {
  it("1,000 requests through two fresh processes: identical outputs and final state hash", async () => {
    const steps = workload(1000);
    const [one, two] = await Promise.all([drive(steps), drive(steps)]);
    expect(one.results).toHaveLength(1000);
    for (let i = 0; i < steps.length; i++) expect(two.results[i], `request ${i}`).toEqual(one.results[i]);
    expect(two.final).toEqual(one.final);

    // Not vacuous: the workload exercised acceptance, rejection and skipped records.
    const statuses = one.results.map((r) => r.status);
    expect(statuses.filter((s) => s === "ACCEPTED").length).toBeGreaterThan(500);
    expect(statuses.filter((s) => s === "REJECTED").length).toBeGreaterThan(100);
    expect(statuses).not.toContain("EXCEPTION");
    const reportTexts = one.results.flatMap((r) => r.reports).map((h) => new TextDecoder().decode(fromHex(h)));
    for (const reason of [
      "bad_signature",
      "seq_not_increasing",
      "timestamp_in_future",
      "unknown_device",
      "no_record_accepted",
      "insufficient_balance",
      "unknown_bounty",
    ]) {
      expect(
        reportTexts.some((t) => t.includes(`"${reason}"`)),
        reason,
      ).toBe(true);
    }
    expect(reportTexts.some((t) => t.includes('"internal_error"'))).toBe(false);

    // The process and the in-process state machine agree: the host loop adds nothing.
    const local = await Dapp.create();
    const lastNotice = { hash: "" };
    for (const s of steps) if (s.type === "advance") local.advance(s.metadata, s.payload);
    const finalBody = JSON.parse(new TextDecoder().decode(fromHex(one.final.reports[0]!)));
    expect(finalBody.stateHash).toBe(toHex(local.stateHash()));

    // And the last notice's state hash is the final one (no accepted input after it changes state).
    for (const r of one.results) {
      for (const o of "outputs" in r ? (r.outputs as `0x${string}`[]) : []) {
        const out = decodeOutput(o);
        if (out?.type !== "Notice") continue;
        // A settlement notice carries the state at its period's close, not the latest (PROTOCOL §9).
        const notice = decodeNotice(fromHex(out.payload));
        if (notice.kind !== "period_settled") lastNotice.hash = toHex(notice.stateHash);
      }
    }
    expect(lastNotice.hash).toBe(finalBody.stateHash);
  });
});
