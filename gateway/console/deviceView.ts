// A device's page (#/device/0x…): what the gateway and the chain say of it, its values over
// time (owner: decrypted by the gateway, behind the owner token), its readings with their
// lifecycle, and its disclosure days, each of which the owner can disclose from here
// (POST /v1/disclosures) and watch until the dApp publishes the aggregate.

import uPlot from "uplot";
import { api, apiPost, ownerToken } from "./api.js";
import { $, ago, el, scaled, table, txLink } from "./dom.js";
import { type Exportable, exportButtons } from "./exportTable.js";

interface Disclosure {
  id: number;
  status: string;
  reason?: string;
  txHash?: string;
  aggregate?: { count: string; sum: string; min: string; max: string };
  /** The aggregate's voucher: executed = recorded in LcoreSettlement. */
  aggregateOnChain?: { outputIndex: number; executed: boolean; executedTx?: string };
}
interface Day {
  day: number;
  date: string;
  readings: number;
  accepted: number;
  rejected: number;
  disclosable: boolean;
  disclosure?: Disclosure;
}
interface Page {
  device: string;
  metadata: string;
  unit: string | null;
  decimals: number;
  state: string;
  chainStatus: string;
  chainReason?: string;
  lastSeq: string | null;
  lastSeenAt: string | null;
  rejected: number;
  publicKey: string;
  owner: string;
  registration: { status: string; txHash?: string; inputIndex?: number };
  rejectReasons: { reason: string; count: number }[];
  days: Day[];
  ownerActions: { id: number; action: string; status: string; reason?: string; txHash?: string; requestedAt: string }[];
  ownerOpNonce: number;
}
interface Reading {
  seq: string;
  timestamp: string;
  status: string;
  reason?: string;
  inputIndex?: number;
  txHash?: string;
  settlementTxHash?: string;
}

let page: Page | undefined;
let readings: Reading[] = [];
/** seq → value, from the owner route; empty without the token. */
let values = new Map<string, string>();
let chart: uPlot | undefined;
let chartKey = "";

const iso = (ts: string) => new Date(Number(ts) * 1000).toISOString().replace(".000Z", "Z");
const withUnit = (v: string) => `${scaled(v, page?.decimals ?? 0)}${page?.unit ? ` ${page.unit}` : ""}`;

export function readingsExport(): Exportable {
  return {
    name: `readings-${page?.device ?? "device"}`,
    columns: ["seq", "timestamp", "value", "unit", "status", "reason", "inputIndex", "txHash"],
    rows: readings.map((r) => [
      r.seq,
      iso(r.timestamp),
      values.has(r.seq) ? scaled(values.get(r.seq)!, page?.decimals ?? 0) : null,
      page?.unit ?? null,
      r.status,
      r.reason ?? null,
      r.inputIndex ?? null,
      r.txHash ?? null,
    ]),
  };
}

function info(p: Page): void {
  const row = (k: string, ...v: (Node | string)[]) => el("div", {}, el("dt", {}, k), el("dd", {}, ...v));
  $("device-info").replaceChildren(
    el("h2", {}, "Device ", el("code", { id: "device-address" }, p.device)),
    el(
      "dl",
      {},
      row("state", el("span", { class: `state ${p.state}`, "data-state": p.state }, p.state)),
      row("metadata", p.metadata || "–"),
      row("unit", p.unit ?? "–"),
      row("key", el("code", { class: "wrap" }, p.publicKey)),
      row("owner", el("code", {}, p.owner)),
      row("on chain", p.chainReason ? `${p.chainStatus}: ${p.chainReason}` : p.chainStatus),
      row(
        "registration",
        p.registration.status,
        " ",
        ...(p.registration.txHash ? [txLink(p.registration.txHash)] : []),
      ),
      row("last seen", ago(p.lastSeenAt)),
      row("last seq (accepted)", p.lastSeq ?? "–"),
      row("rejected", String(p.rejected), ...p.rejectReasons.map((r) => ` · ${r.reason} ×${r.count}`)),
    ),
  );
}

function drawChart(): void {
  const points = readings.filter((r) => values.has(r.seq)).reverse();
  const key = points.map((r) => r.seq).join(",");
  if (key === chartKey) return;
  chartKey = key;
  chart?.destroy();
  chart = undefined;
  if (points.length === 0) {
    $("device-chart").replaceChildren(
      el("p", { class: "hint" }, "Values are the owner's: unlock with the owner token to see them."),
    );
    return;
  }
  $("device-chart").replaceChildren();
  const scale = 10 ** (page?.decimals ?? 0);
  const data: uPlot.AlignedData = [
    points.map((r) => Number(r.timestamp)),
    points.map((r) => Number(values.get(r.seq)) / scale),
  ];
  chart = new uPlot(
    {
      width: Math.min(900, $("device-chart").clientWidth || 900),
      height: 220,
      series: [{}, { label: page?.unit ?? "value", stroke: "#2563eb", width: 2, points: { show: true } }],
      axes: [{}, { label: page?.unit ?? "value" }],
    },
    data,
    $("device-chart"),
  );
}

function readingsTable(): void {
  table(
    $("device-readings"),
    ["seq", "time (device)", "value", "status", "input", "transaction"],
    readings.map((r) => [
      el("span", { "data-seq": r.seq }, r.seq),
      iso(r.timestamp),
      el("span", { class: "value" }, values.has(r.seq) ? withUnit(values.get(r.seq)!) : "🔒"),
      el(
        "span",
        { class: `status ${r.status}`, title: r.reason ?? "" },
        r.reason ? `${r.status}: ${r.reason}` : r.status,
      ),
      r.inputIndex === undefined ? "–" : String(r.inputIndex),
      r.txHash ? txLink(r.txHash, `${r.txHash.slice(0, 10)}…`) : "–",
    ]),
  );
}

/** The outcome of the last owner action, shown until dismissed (re-renders keep it). */
let notice: { text: string; ok: boolean } | undefined;

function showNotice(): void {
  if (notice === undefined) {
    $("device-notice").replaceChildren();
    return;
  }
  const dismiss = el("button", { type: "button", class: "dismiss", "aria-label": "dismiss" }, "×");
  dismiss.addEventListener("click", () => {
    notice = undefined;
    showNotice();
  });
  $("device-notice").replaceChildren(el("span", { class: notice.ok ? "ok" : "bad" }, notice.text), " ", dismiss);
}

async function disclose(device: string, day: Day): Promise<void> {
  const res = await apiPost("/v1/disclosures", { device, period: day.day, aggregateVoucher: true });
  const body = await res.json();
  notice = res.ok
    ? { text: `disclosure ${body.id} of ${day.date} queued`, ok: true }
    : { text: `${day.date}: ${body.code}: ${body.message}`, ok: false };
  showNotice();
  await refreshDevice(device);
}

function disclosureCell(d: Disclosure | undefined): Node | string {
  if (d === undefined) return "–";
  const a = d.aggregate;
  const text = a
    ? `${d.status}: count ${a.count}, sum ${withUnit(a.sum)}, min ${withUnit(a.min)}, max ${withUnit(a.max)}`
    : d.reason
      ? `${d.status}: ${d.reason}`
      : d.status;
  const cell = el("span", { class: `disclosure ${d.status}`, "data-disclosure": d.status }, text);
  const onChain = d.aggregateOnChain;
  if (onChain === undefined) return cell;
  // The aggregate's voucher, executed through the Application: LcoreSettlement.aggregate(device, day) holds it.
  const chain = onChain.executed
    ? el(
        "span",
        { class: "ok", "data-aggregate-on-chain": "recorded" },
        "recorded on chain ",
        onChain.executedTx ? txLink(onChain.executedTx) : "",
      )
    : el("span", { class: "hint", "data-aggregate-on-chain": "waiting" }, "voucher waiting for its epoch's claim");
  return el("span", {}, cell, " · ", chain);
}

async function ownerAction(device: string, action: "revoke" | "rotate", body?: unknown): Promise<void> {
  const res = await apiPost(`/v1/console/devices/${device}/${action}`, body ?? {});
  const answer = await res.json();
  notice = res.ok
    ? { text: `${action} queued as input ${answer.id}`, ok: true }
    : { text: `${action}: ${answer.code}: ${answer.message}`, ok: false };
  showNotice();
  await refreshDevice(device);
}

function actionsView(p: Page): void {
  table(
    $("device-actions"),
    ["action", "requested", "state", "transaction"],
    p.ownerActions.map((a) => [
      a.action,
      a.requestedAt.replace(".000Z", "Z"),
      el(
        "span",
        { class: `status ${a.status}`, "data-action-status": a.status },
        a.reason ? `${a.status}: ${a.reason}` : a.status,
      ),
      a.txHash ? txLink(a.txHash, `${a.txHash.slice(0, 10)}…`) : "–",
    ]),
  );
  $("rotate-nonce").textContent = String(p.ownerOpNonce);
  $("device-owner-actions").hidden = !ownerToken();
}

function daysTable(p: Page): void {
  table(
    $("device-days"),
    ["day (UTC)", "readings", "accepted", "rejected", "disclosure", ""],
    p.days.map((day) => {
      const again = day.disclosure === undefined || day.disclosure.status === "rejected";
      const button = el("button", { type: "button", "data-disclose": day.date }, "Disclose");
      button.addEventListener("click", () => void disclose(p.device, day));
      return [
        day.date,
        String(day.readings),
        String(day.accepted),
        String(day.rejected),
        disclosureCell(day.disclosure),
        ownerToken() && day.disclosable && again ? button : "",
      ];
    }),
  );
}

export async function refreshDevice(device: string): Promise<void> {
  const res = await api(`/v1/console/devices/${device}`);
  const body = await res.json();
  if (!res.ok) {
    $("device-info").replaceChildren(el("p", { class: "bad" }, `${body.code}: ${body.message}`));
    return;
  }
  if (page?.device !== device) {
    chartKey = "";
    values = new Map();
  }
  page = body as Page;
  const list = await api(`/v1/console/devices/${device}/readings?limit=200`);
  readings = list.ok ? (await list.json()).readings : [];
  if (ownerToken()) {
    const owned = await api(`/v1/console/devices/${device}/values?limit=200`);
    if (owned.ok)
      values = new Map((await owned.json()).values.map((v: { seq: string; value: string }) => [v.seq, v.value]));
  } else values = new Map();
  info(page);
  drawChart();
  readingsTable();
  daysTable(page);
  actionsView(page);
  showNotice();
}

export function wireDevice(): void {
  $("device-readings-export").replaceChildren(exportButtons("readings-export", readingsExport));
  $("device-revoke").addEventListener("click", () => {
    if (page === undefined) return;
    // Irreversible on chain: an address is never registered again (PROTOCOL §3.3).
    if (!confirm(`Revoke ${page.device} on chain? Its readings are refused from then on, for good.`)) return;
    void ownerAction(page.device, "revoke");
  });
  $("device-rotate").addEventListener("submit", (event) => {
    event.preventDefault();
    if (page === undefined) return;
    const value = (id: string) => ($(id) as HTMLInputElement).value.trim();
    void ownerAction(page.device, "rotate", { publicKey: value("rotate-key"), proof: value("rotate-proof") });
  });
}
