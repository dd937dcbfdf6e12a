// The device list (GET /v1/console/devices): search (address prefix or metadata), seq,
// filters, and keyset pages (next: the server's cursor; previous: the cursors seen, kept
// here). A device's state is coloured from the server's `state`: green only when the dApp
// accepts its readings. Its address opens its page (#/device/0x…).

import { api, ownerToken } from "./api.js";
import { $, ago, el, table } from "./dom.js";
import { type Exportable, exportButtons } from "./exportTable.js";

export interface DeviceSummary {
  device: string;
  metadata: string;
  unit: string | null;
  decimals: number;
  state: "ok" | "pending" | "rejecting" | "refused" | "idle";
  chainStatus: string;
  chainReason?: string;
  lastSeq: string | null;
  lastSeenAt: string | null;
  lastOutcome: string | null;
  lastReason?: string;
  rejected: number;
}

let shown: DeviceSummary[] = [];
let next: string | null = null;
/** The `after` cursor of each page before the current one. */
const cursors: string[] = [];
let after = "";

function query(): string {
  const form = $("fleet-form") as HTMLFormElement;
  const p = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (typeof v === "string" && v !== "") p.set(k, v);
  p.set("limit", "50");
  if (after !== "") p.set("after", after);
  return p.toString();
}

export function fleetExport(): Exportable {
  return {
    name: "devices",
    columns: ["device", "state", "chainStatus", "lastSeq", "lastSeenAt", "rejected", "metadata"],
    rows: shown.map((d) => [d.device, d.state, d.chainStatus, d.lastSeq, d.lastSeenAt, d.rejected, d.metadata]),
  };
}

function stateCell(d: DeviceSummary): HTMLElement {
  const why = d.state === "rejecting" ? `: ${d.lastReason ?? "rejected"}` : d.chainReason ? `: ${d.chainReason}` : "";
  return el("span", { class: `state ${d.state}`, "data-state": d.state }, `${d.state}${why}`);
}

function render(onRecords: (device: string) => void): void {
  table(
    $("devices"),
    ["device", "state", "on chain", "last seq (accepted)", "last seen", "rejected", "metadata", ""],
    shown.map((d) => {
      const records = el("button", { type: "button", "data-records": d.device }, "Plaintext");
      records.addEventListener("click", () => onRecords(d.device));
      return [
        el("a", { href: `#/device/${d.device}`, "data-device": d.device }, el("code", {}, d.device)),
        stateCell(d),
        d.chainStatus,
        d.lastSeq ?? "–",
        ago(d.lastSeenAt),
        String(d.rejected),
        el("span", { class: "metadata", title: d.metadata }, d.metadata.slice(0, 60)),
        ownerToken() ? records : "",
      ];
    }),
  );
  ($("fleet-prev") as HTMLButtonElement).disabled = cursors.length === 0;
  ($("fleet-next") as HTMLButtonElement).disabled = next === null;
  $("fleet-page").textContent = `page ${cursors.length + 1}`;
}

export async function refreshFleet(onRecords: (device: string) => void): Promise<void> {
  const res = await api(`/v1/console/devices?${query()}`);
  const body = await res.json();
  if (!res.ok) {
    $("fleet-error").textContent = `${body.code}: ${body.message}`;
    return;
  }
  $("fleet-error").textContent = "";
  shown = body.devices;
  next = body.next;
  // A not-settled page examines a bounded stretch of the fleet: say so, since it may show fewer rows.
  $("fleet-count").textContent =
    `${body.registered} registered${body.scanned ? ` · this page searched ${body.scanned} devices; next › continues` : ""}`;
  render(onRecords);
}

export function wireFleet(onRecords: (device: string) => void): void {
  const reload = () => void refreshFleet(onRecords);
  $("fleet-form").addEventListener("submit", (event) => {
    event.preventDefault();
    cursors.length = 0;
    after = "";
    reload();
  });
  $("fleet-next").addEventListener("click", () => {
    if (next === null) return;
    cursors.push(after);
    after = next;
    reload();
  });
  $("fleet-prev").addEventListener("click", () => {
    after = cursors.pop() ?? "";
    reload();
  });
  $("devices-export").replaceChildren(exportButtons("devices-export", fleetExport));
}
