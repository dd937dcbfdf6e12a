// The console page: two views, the fleet (#/) and a device's page (#/device/0x…), under
// the health strip. Every 2 s it polls what the view shows (GET /v1/overview, the
// /v1/console/* routes) and redraws it; what a click produced (a proof check, an owner
// action's outcome) is kept apart and stays until the user dismisses it. Plain DOM plus
// uPlot for the charts, bundled with esbuild at build time, so nothing is fetched from
// anywhere but this gateway. The decode panel runs `lcore decode`'s own code
// (@lcore/protocol/decode) in the page: hex pasted there never leaves the browser.
import { DecodeInputError, decodeHex } from "@lcore/protocol/decode";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./console.css";
import { api, ownerToken, setOwnerToken } from "./api.js";
import { mountEvidenceCheck } from "./evidenceCheck.js";
import { refreshDevice, wireDevice } from "./deviceView.js";
import { refreshDisclosures, wireDisclosures } from "./disclosuresView.js";
import { $, el, setExplorer, short, table, txLink } from "./dom.js";
import { type Exportable, exportButtons } from "./exportTable.js";
import { refreshFleet, wireFleet } from "./fleetView.js";
import { renderHealth } from "./healthView.js";
import { type Overview, type OverviewReading, LIFECYCLE } from "./overview.js";
import { renderPending } from "./pending.js";

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

/** Proof checks' verdicts by reading, kept across redraws until dismissed. */
const proofs = new Map<string, { text: string; ok: boolean }>();

function proofResult(key: string): HTMLElement {
  const result = proofs.get(key);
  if (result === undefined) return el("span", { class: "proof" });
  const dismiss = el("button", { type: "button", class: "dismiss", "aria-label": "dismiss" }, "×");
  dismiss.addEventListener("click", () => {
    proofs.delete(key);
    dismiss.parentElement?.replaceWith(proofResult(key));
  });
  return el("span", { class: `proof ${result.ok ? "ok" : "bad"}` }, result.text, " ", dismiss);
}

function proofButton(r: OverviewReading): HTMLElement {
  const key = `${r.device}/${r.seq}`;
  if (r.status !== "settled") return el("span", {}, proofResult(key));
  const button = el("button", { type: "button", "data-proof": key }, "Check proof on chain");
  const wrap = el("span", {}, button, " ", proofResult(key));
  button.addEventListener("click", async () => {
    wrap.lastElementChild?.replaceWith(el("span", { class: "proof" }, "checking…"));
    const res = await api(`/v1/readings/${r.device}/${r.seq}/proof`);
    const body = await res.json();
    const ok = res.ok && body.verifiedOnChain === true;
    proofs.set(key, {
      ok,
      text: ok
        ? `✓ verified on chain (period ${body.period}, leaf ${body.index})`
        : `✗ ${body.code ?? res.status}${body.verifiedOnChain === false ? ": not verified" : ""}`,
    });
    // The row may have been redrawn meanwhile: draw into every copy of this reading's row.
    for (const b of document.querySelectorAll(`[data-proof="${key}"]`))
      b.parentElement?.lastElementChild?.replaceWith(proofResult(key));
  });
  return wrap;
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
  const count = (minute: number, device: string) =>
    o.perMinute.filter((m) => m.minute === minute && m.device === device).reduce((s, m) => s + m.count, 0);
  const data: uPlot.AlignedData = [
    minutes.map((m) => m * 60),
    minutes.map((m) => o.perMinuteTotal.find((t) => t.minute === m)?.count ?? 0),
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
    el("h3", {}, "Busiest devices, last hour"),
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
let overview: Overview | undefined;

function readingsExport(): Exportable {
  return {
    name: "recent-readings",
    columns: ["device", "seq", "status", "final", "inputIndex", "receivedAt", "txHash", "reason"],
    rows: (overview?.readings ?? []).map((r) => [
      r.device,
      r.seq,
      r.status,
      r.final,
      r.inputIndex ?? null,
      r.receivedAt,
      r.txHash ?? null,
      r.reason ?? null,
    ]),
  };
}

function periodsExport(): Exportable {
  return {
    name: "settlement-periods",
    columns: ["period", "recordCount", "recordsRoot", "executedTx", "executedAt"],
    rows: (overview?.periods ?? []).map((p) => [p.period, p.recordCount, p.recordsRoot, p.executedTx, p.executedAt]),
  };
}

function render(o: Overview): void {
  overview = o;
  $("links").replaceChildren(
    el("a", { href: o.links.docs }, "API docs"),
    el("a", { href: o.links.metrics }, "metrics"),
    ...(o.links.graphql === undefined ? [] : [el("a", { href: o.links.graphql }, "GraphQL")]),
  );
  table(
    $("readings"),
    ["device", "seq", "lifecycle", "input", "received", "proof"],
    o.readings.map((r) => [
      el("a", { href: `#/device/${r.device}` }, el("code", {}, short(r.device))),
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
      p.executedTx === null ? "pending" : txLink(p.executedTx),
    ]),
  );
  const key = JSON.stringify([o.perMinute, o.perMinuteTotal]);
  if (key !== lastChart) {
    lastChart = key;
    drawChart(o);
  }
}

/** The device of #/device/0x…, or undefined on the fleet view. */
function route(): string | undefined {
  const m = /^#\/device\/(0x[0-9a-fA-F]{40})$/.exec(location.hash);
  return m?.[1]?.toLowerCase();
}

const onRecords = (device: string) => void showRecords(device);

/** Redraws the health strip and the view in sight. */
async function redraw(): Promise<void> {
  const health = await api("/v1/console/health");
  if (health.ok) renderHealth(await health.json());
  const device = route();
  $("fleet-view").hidden = device !== undefined;
  $("device-view").hidden = device === undefined;
  if (device !== undefined) {
    await refreshDevice(device);
    return;
  }
  const res = await api("/v1/overview");
  if (res.ok) render(await res.json());
  await renderPending($("pending"), $("pending-section"));
  await refreshFleet(onRecords);
  await refreshDisclosures();
}

async function refresh(): Promise<void> {
  try {
    await redraw();
  } finally {
    setTimeout(() => void refresh(), 2000);
  }
}

$("owner").addEventListener("submit", async (event) => {
  event.preventDefault();
  setOwnerToken(($("token") as HTMLInputElement).value);
  $("owner-state").textContent = ownerToken() ? "owner view" : "public view";
  lastChart = "";
  await redraw();
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
window.addEventListener("hashchange", () => void redraw());
$("owner-state").textContent = ownerToken() ? "owner view" : "public view";
mountEvidenceCheck($("evidence"));
void refresh();
$("readings-export").replaceChildren(exportButtons("recent-export", readingsExport));
$("periods-export").replaceChildren(exportButtons("periods-export", periodsExport));
wireFleet(onRecords);
wireDisclosures();
wireDevice();
void (async () => {
  const settings = await api("/v1/console/settings");
  if (settings.ok) setExplorer((await settings.json()).explorerTxUrl);
  await refresh();
})();
