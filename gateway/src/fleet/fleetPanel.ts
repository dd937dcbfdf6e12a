// The console's fleet panel: one small page at /console/fleet that polls GET /v1/fleet every
// 2 s and shows, per shard, its application, devices, queue depth, readings accepted (and
// per second) and last accepted claim. Static text, no external scripts.

export const FLEET_PANEL_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lcore fleet</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:right}
td:nth-child(2),th:nth-child(2){text-align:left;font-family:monospace}.bad{color:#b00}
</style></head><body>
<h1>Fleet</h1>
<table><thead><tr><th>shard</th><th>application</th><th>devices</th><th>queued</th>
<th>accepted</th><th>accepted/s</th><th>last claim</th><th>health</th></tr></thead>
<tbody id="shards"></tbody></table>
<script>
const cell = (text) => { const td = document.createElement("td"); td.textContent = String(text); return td; };
async function refresh() {
  try {
    const fleet = await (await fetch("/v1/fleet")).json();
    const rows = fleet.shards.map((s) => {
      const tr = document.createElement("tr");
      tr.append(cell(s.shard), cell(s.application), cell(s.devices), cell(s.queued), cell(s.readingsAccepted),
        cell(s.acceptedPerSecond), cell(s.lastAcceptedEpoch ?? "-"), cell(s.healthy ? "ok" : "degraded"));
      if (!s.healthy) tr.className = "bad";
      return tr;
    });
    document.getElementById("shards").replaceChildren(...rows);
  } catch {}
}
refresh(); setInterval(refresh, 2000);
</script></body></html>
`;
