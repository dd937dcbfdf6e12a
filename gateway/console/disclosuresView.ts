// The disclosures (GET /v1/console/disclosures), newest first: device, day, where each is
// and, once the dApp published it, its aggregate. A disclosure is started from a device's
// page, on one of its days.

import { api } from "./api.js";
import { $, el, short, table, txLink } from "./dom.js";
import { type Exportable, exportButtons } from "./exportTable.js";

interface Disclosure {
  id: number;
  device: string;
  date: string;
  status: string;
  reason?: string;
  txHash?: string;
  aggregate?: { count: string; sum: string; min: string; max: string };
}

let shown: Disclosure[] = [];

function disclosuresExport(): Exportable {
  return {
    name: "disclosures",
    columns: ["id", "device", "day", "status", "reason", "count", "sum", "min", "max", "txHash"],
    rows: shown.map((d) => [
      d.id,
      d.device,
      d.date,
      d.status,
      d.reason ?? null,
      d.aggregate?.count ?? null,
      d.aggregate?.sum ?? null,
      d.aggregate?.min ?? null,
      d.aggregate?.max ?? null,
      d.txHash ?? null,
    ]),
  };
}

export async function refreshDisclosures(): Promise<void> {
  const res = await api("/v1/console/disclosures?limit=50");
  if (!res.ok) return;
  shown = (await res.json()).disclosures;
  table(
    $("disclosures"),
    ["id", "device", "day", "state", "count", "sum", "min", "max", "transaction"],
    shown.map((d) => [
      String(d.id),
      el("a", { href: `#/device/${d.device}` }, el("code", {}, short(d.device))),
      d.date,
      el("span", { class: `disclosure ${d.status}` }, d.reason ? `${d.status}: ${d.reason}` : d.status),
      d.aggregate?.count ?? "–",
      d.aggregate?.sum ?? "–",
      d.aggregate?.min ?? "–",
      d.aggregate?.max ?? "–",
      d.txHash ? txLink(d.txHash, `${d.txHash.slice(0, 10)}…`) : "–",
    ]),
  );
}

export function wireDisclosures(): void {
  $("disclosures-export").replaceChildren(exportButtons("disclosures-export", disclosuresExport));
}
