// The console page: polls GET /v1/overview and draws it. Plain DOM (the page is four
// tables and a chart) plus uPlot for the chart; bundled with esbuild at build time, so
// nothing is fetched from anywhere but this gateway. The decode panel runs `lcore decode`'s
// own code (@lcore/protocol/decode) in the page: hex pasted there never leaves the browser.
import { DecodeInputError, decodeHex } from "@lcore/protocol/decode";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./console.css";
import { api, ownerToken, setOwnerToken } from "./api.js";
import { type Overview, type OverviewReading, LIFECYCLE } from "./overview.js";
import { renderPending } from "./pending.js";

const $ = (id: string) => document.getElementById(id)!;

/** An element with text and attributes; children appended in order. */
function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const short = (hex: string) => `${hex.slice(0, 8)}…${hex.slice(-4)}`;

function table(target: HTMLElement, head: string[], rows: (Node | string)[][]): void {
  target.replaceChildren(
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))))),
  );
}

/** queued → submitted → accepted → settled, the reached steps lit; a rejection shown as such. */
function lifecycle(r: OverviewReading): HTMLElement {
  if (r.status === "rejected")
    return el(
      "span",
      { class: "status rejected", "data-status": "rejected" },
      `rejected${r.reason ? `: ${r.reason}` : ""}`,
    );
  const reached = LIFECYCLE.indexOf(r.status === "included" || r.status === "processed" ? "submitted" : r.status);
  return el(
    "span",
    {
      class: "lifecycle",
      "data-status": r.status,
      "data-final": String(r.final),
      title: r.final ? "final: its block is finalized" : "not final yet: a reorganisation can still send it back",
    },
    ...LIFECYCLE.map((step, i) => el("span", { class: i <= reached ? "step on" : "step" }, step)),
    ...(r.final ? [el("span", { class: "final" }, "final")] : []),
  );
}

function proofButton(r: OverviewReading): HTMLElement {
  const out = el("span", { class: "proof" });
  if (r.status !== "settled") return out;
  const button = el("button", { type: "button", "data-proof": `${r.device}/${r.seq}` }, "Check proof on chain");
  button.addEventListener("click", async () => {
    out.textContent = "checking…";
    const res = await api(`/v1/readings/${r.device}/${r.seq}/proof`);
    const body = await res.json();
    out.textContent =
      res.ok && body.verifiedOnChain === true
        ? `✓ verified on chain (period ${body.period}, leaf ${body.index})`
        : `✗ ${body.code ?? res.status}${body.verifiedOnChain === false ? ": not verified" : ""}`;
    out.className = `proof ${res.ok && body.verifiedOnChain === true ? "ok" : "bad"}`;
  });
  return el("span", {}, button, " ", out);
}

async function showRecords(device: string): Promise<void> {
  const res = await api(`/v1/devices/${device}/records?limit=20`);
  const body = await res.json();
  if (!res.ok) {
    $("records").textContent = `${body.code}: ${body.message}`;
    return;
  }
  const t = el("table", { id: "records-table" });
  table(
    t,
    ["seq", "value", "payload", "status"],
    body.records.map((r: { seq: string; value: string; payload: string; status: string }) => [
      r.seq,
      el("span", { class: "value" }, r.value),
      short(r.payload),
      r.status,
    ]),
  );
  $("records").replaceChildren(el("h3", {}, `Plaintext of ${short(device)} (owner)`), t);
}

let chart: uPlot | undefined;
function drawChart(o: Overview): void {
  // The last hour minute by minute (the gateway's clock), zeros included, so lines draw.
  const minutes = Array.from({ length: 60 }, (_, i) => o.nowMinute - 59 + i);
  const devices = [...new Set(o.perMinute.map((m) => m.device))].sort();
  const shown = devices.slice(0, 6);
  const count = (minute: number, device?: string) =>
    o.perMinute
      .filter((m) => m.minute === minute && (device === undefined || m.device === device))
      .reduce((s, m) => s + m.count, 0);
  const data: uPlot.AlignedData = [
    minutes.map((m) => m * 60),
    minutes.map((m) => count(m)),
    ...shown.map((d) => minutes.map((m) => count(m, d))),
  ];
  const colors = ["#2563eb", "#16a34a", "#ea580c", "#9333ea", "#0891b2", "#ca8a04", "#dc2626"];
  const opts: uPlot.Options = {
    width: Math.min(900, $("chart").clientWidth || 900),
    height: 220,
    series: [
      {},
      { label: "all devices", stroke: colors[0], width: 2 },
      ...shown.map((d, i) => ({ label: short(d), stroke: colors[(i + 1) % colors.length] })),
    ],
    axes: [{}, { label: "readings / min" }],
  };
  chart?.destroy();
  chart = new uPlot(opts, data, $("chart"));
  const totals = devices.map((d) => ({
    d,
    n: o.perMinute.filter((m) => m.device === d).reduce((s, m) => s + m.count, 0),
  }));
  const max = Math.max(1, ...totals.map((t) => t.n));
  $("per-device").replaceChildren(
    el("h3", {}, "Per device, last hour"),
    ...totals.map((t) =>
      el(
        "div",
        { class: "bar-row" },
        el("span", { class: "bar-label" }, short(t.d)),
        el("span", { class: "bar", style: `width:${(100 * t.n) / max}%` }),
        el("span", {}, String(t.n)),
      ),
    ),
  );
}

let lastChart = "";
function render(o: Overview): void {
  const health = $("health");
  health.className = `health ${o.health.status}`;
  health.textContent =
    o.health.status === "ok" ? "● ok" : `● degraded: ${o.health.reasons.map((r) => r.message).join("; ")}`;
  $("links").replaceChildren(
    el("a", { href: o.links.docs }, "API docs"),
    el("a", { href: o.links.metrics }, "metrics"),
    ...(o.links.graphql === undefined ? [] : [el("a", { href: o.links.graphql }, "GraphQL")]),
  );
  table(
    $("devices"),
    ["device", "registration", "on chain", "last seq", ""],
    o.devices.map((d) => {
      const records = el("button", { type: "button", "data-records": d.device }, "Plaintext");
      records.addEventListener("click", () => void showRecords(d.device));
      const refused = d.chainStatus === "registration_rejected" || d.chainStatus === "revoked";
      const chain = el(
        "span",
        {
          class: `status ${refused ? "rejected" : d.chainStatus === "registered" ? "accepted" : "queued"}`,
          title: d.chainReason ?? "",
        },
        d.chainReason === undefined ? d.chainStatus : `${d.chainStatus}: ${d.chainReason}`,
      );
      return [
        el("code", {}, d.device),
        el("span", { class: `status ${d.registration.status}` }, d.registration.status),
        chain,
        d.lastSeq ?? "–",
        ownerToken() ? records : "",
      ];
    }),
  );
  table(
    $("readings"),
    ["device", "seq", "lifecycle", "input", "received", "proof"],
    o.readings.map((r) => [
      el("code", {}, short(r.device)),
      el("span", { "data-reading": `${r.device}/${r.seq}` }, r.seq),
      lifecycle(r),
      r.inputIndex === undefined ? "–" : String(r.inputIndex),
      r.receivedAt.slice(11, 19),
      proofButton(r),
    ]),
  );
  table(
    $("periods"),
    ["period (UTC hour)", "records", "root", "settlement tx"],
    o.periods.map((p) => [
      `${p.period} (${new Date(Number(p.period) * 3_600_000).toISOString().slice(0, 13)}h)`,
      p.recordCount ?? "–",
      p.recordsRoot === null ? "–" : el("code", {}, short(p.recordsRoot)),
      p.executedTx === null ? "pending" : el("code", { "data-tx": p.executedTx }, p.executedTx),
    ]),
  );
  const key = JSON.stringify(o.perMinute);
  if (key !== lastChart) {
    lastChart = key;
    drawChart(o);
  }
}

async function refresh(): Promise<void> {
  try {
    const res = await api("/v1/overview");
    if (res.ok) render(await res.json());
    await renderPending($("pending"), $("pending-section"));
  } finally {
    setTimeout(() => void refresh(), 2000);
  }
}

$("owner").addEventListener("submit", async (event) => {
  event.preventDefault();
  setOwnerToken(($("token") as HTMLInputElement).value);
  $("owner-state").textContent = ownerToken() ? "owner view" : "public view";
  lastChart = "";
  const res = await api("/v1/overview");
  if (res.ok) render(await res.json());
});
$("decode").addEventListener("submit", (event) => {
  event.preventDefault();
  const out = $("decode-output");
  try {
    out.textContent = JSON.stringify(decodeHex(($("decode-input") as HTMLTextAreaElement).value), null, 2);
    out.className = "";
  } catch (error) {
    if (!(error instanceof DecodeInputError)) throw error;
    out.textContent = error.message;
    out.className = "bad";
  }
});
$("owner-state").textContent = ownerToken() ? "owner view" : "public view";
void refresh();
