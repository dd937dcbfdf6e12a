// The evidence verifier's report as text: one line per reading, one per device-period
// (what the chain commits, what the bundle delivered, gaps), and a summary. The CLI prints
// it; a page can show it as is.

import type { BrokenLink, EvidenceReport } from "./evidenceVerify.js";

const link = (b: BrokenLink) => `${b.link}: ${b.field} expected ${b.expected}, got ${b.got}`;

/** Whether a report passes: every link holds, and every committed reading is delivered unless a subset is accepted. */
export function evidencePasses(r: EvidenceReport, allowSubset = false): boolean {
  return r.ok && (r.complete || allowSubset);
}

export function formatEvidenceReport(r: EvidenceReport, allowSubset = false): string[] {
  const lines: string[] = [];
  for (const p of r.problems) lines.push(`FAIL bundle ${link(p)}`);
  for (const v of r.readings) {
    const at = `${v.device} seq ${v.seq} period ${v.period}`;
    lines.push(v.broken === undefined ? `ok   ${at}` : `FAIL ${at} ${link(v.broken)}`);
  }
  for (const p of r.periods) {
    const at = `${p.device} period ${p.period}`;
    if (p.broken !== undefined) {
      lines.push(`FAIL ${at} ${link(p.broken)}`);
      continue;
    }
    const state = p.missing === 0n ? "complete" : `INCOMPLETE ${p.missing} missing`;
    const mark = p.missing === 0n ? "ok  " : allowSubset ? "part" : "FAIL";
    lines.push(
      `${mark} ${at} sent ${p.count} (seq ${p.firstSeq}..${p.lastSeq}, gaps ${p.gaps}, skipped before ${p.skippedBefore}), delivered ${p.delivered}: ${state}`,
    );
  }
  const failed = r.readings.filter((v) => v.broken !== undefined).length;
  const missing = r.periods.reduce((n, p) => n + p.missing, 0n);
  const verdict = evidencePasses(r, allowSubset) ? "VERIFIED" : "NOT VERIFIED";
  lines.push(
    `${verdict}: ${r.readings.length - failed} of ${r.readings.length} readings hold on chain ${r.chainId} for application ${r.application}; ` +
      `${r.periods.length} device-periods, ${missing} committed readings missing (${r.selection}${allowSubset ? ", subset accepted" : ""})`,
  );
  return lines;
}
