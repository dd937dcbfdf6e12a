// The health strip (GET /v1/console/health) across the top of every view: one level
// (ok / warn / alarm) and the figures behind it. Polled with the rest of the page.

import { ago, el, $, txLink } from "./dom.js";

interface Reason {
  code: string;
  message: string;
}
export interface HealthStrip {
  level: "ok" | "warn" | "alarm";
  alarms: Reason[];
  warnings: Reason[];
  outbox: { queuedReadings: number; inputsWaitingForChain: number; inputsWaitingForVerdict: number };
  cartesiPaused: boolean;
  node: { lagInputs: number | null; lagBlocks: number | null; errors: string[] };
  lastClaim: { epoch: number; txHash: string | null; status: string; at: string | null } | null;
  lastSettlement: { period: number; txHash: string | null; at: string } | null;
  lastHour: {
    inputsAccepted: number;
    inputsRejected: number;
    readingsAccepted: number;
    readingsRejected: number;
    inputReasons: { reason: string; count: number }[];
    readingReasons: { reason: string; count: number }[];
  };
}

const item = (label: string, ...value: (Node | string)[]) =>
  el("span", { class: "item" }, el("span", { class: "label" }, label), " ", ...value);
const unknown = (n: number | null) => (n === null ? "unknown" : String(n));

export function renderHealth(h: HealthStrip): void {
  const strip = $("health-strip");
  strip.className = `strip ${h.level}`;
  strip.dataset.level = h.level;
  const reasons = [...h.lastHour.inputReasons, ...h.lastHour.readingReasons].map((r) => `${r.reason} ×${r.count}`);
  const claim = h.lastClaim;
  const settled = h.lastSettlement;
  strip.replaceChildren(
    el("strong", { class: "level" }, h.level === "ok" ? "● healthy" : h.level === "warn" ? "● degraded" : "● ALARM"),
    item(
      "outbox",
      `${h.outbox.queuedReadings} queued · ${h.outbox.inputsWaitingForChain} inputs unsent · ${h.outbox.inputsWaitingForVerdict} awaiting verdict`,
    ),
    item("Cartesi path", el("span", { id: "cartesi-state" }, h.cartesiPaused ? "PAUSED" : "running")),
    item("node lag", `${unknown(h.node.lagInputs)} inputs · ${unknown(h.node.lagBlocks)} blocks`),
    item(
      "last claim",
      ...(claim === null
        ? ["none"]
        : [
            `epoch ${claim.epoch} ${claim.status.toLowerCase()} ${ago(claim.at)} `,
            ...(claim.txHash ? [txLink(claim.txHash, "tx")] : []),
          ]),
    ),
    item(
      "last settlement",
      ...(settled === null
        ? ["none"]
        : [`period ${settled.period}, ${ago(settled.at)} `, ...(settled.txHash ? [txLink(settled.txHash, "tx")] : [])]),
    ),
    item(
      "rejected (1 h)",
      el(
        "span",
        { id: "rejected-hour" },
        `${h.lastHour.inputsRejected} inputs, ${h.lastHour.readingsRejected} readings${reasons.length ? `: ${reasons.join(", ")}` : ""}`,
      ),
    ),
    el(
      "ul",
      { class: "alarms" },
      ...[...h.alarms, ...h.warnings].map((r) => el("li", { "data-code": r.code }, `${r.code}: ${r.message}`)),
    ),
  );
}
