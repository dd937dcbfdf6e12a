// What handling one request produces, in order. The handlers are pure functions of
// (state, input) → (state', outputs); the rollup loop posts the outputs, and tests
// read them directly (no network).

import { encodeReport, type Report } from "@lcore/protocol/reports";
import type { Output } from "../rollup/handler.js";

export class Outputs {
  readonly list: Output[] = [];

  notice(payload: Uint8Array): void {
    this.list.push({ type: "notice", payload });
  }

  voucher(destination: Uint8Array, value: bigint, payload: Uint8Array): void {
    this.list.push({ type: "voucher", destination, value, payload });
  }

  /** A report (PROTOCOL §4.2). Reports survive a rejection; notices and vouchers do not. */
  report(report: Report): void {
    this.list.push({ type: "report", payload: encodeReport(report) });
  }

  /** On rejection the node discards notices and vouchers: drop them here too so host mode matches. */
  keepReportsOnly(): void {
    const reports = this.list.filter((o) => o.type === "report");
    this.list.length = 0;
    this.list.push(...reports);
  }
}
