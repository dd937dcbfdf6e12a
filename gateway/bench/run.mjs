// `npm run bench -w gateway`: the ingest bench, the gas bench and the console bench
// (console.mjs: seeds 10,000 devices and 1,000,000 readings, a few minutes), ending with the
// BENCH lines of issues 5 and 30. Needs the built packages (`npm run build`; prebench rebuilds
// the gateway). Environment knobs: BENCH_DURATION_S (default 10), BENCH_CONNECTIONS (64).

import { cpus, loadavg } from "node:os";
import { benchGas, largestBatch } from "./gas.mjs";
import { benchIngest } from "./ingest.mjs";
import { benchConsole, printConsole } from "./console.mjs";

const durationS = Number(process.env.BENCH_DURATION_S ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const fmt = (n, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

// Other work on the machine skews every figure below: say how busy it was.
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);

// ── ingest ──
const perConnection = Math.ceil((8000 * (durationS + 3)) / connections);
const ingest = await benchIngest({ connections, durationS, warmupS: 3, perConnection });
console.log(
  `\ningest: POST /v1/readings, one reading per request, ${connections} connections, ${ingest.durationS} s after a 3 s warm-up`,
);
console.log(
  `  signature backend ${ingest.signatureBackend}; 202: ${fmt(ingest.accepted)}, other answers: ${ingest.non2xx}, errors/timeouts: ${ingest.errors}`,
);
console.log(
  `  latency ms: p50 ${ingest.latency.p50}  p90 ${ingest.latency.p90}  p99 ${ingest.latency.p99}  max ${ingest.latency.max}`,
);
console.log(`  committed rows read back from the outbox: ${fmt(ingest.outboxQueued)} (every 202 of warm-up and run)`);
if (ingest.non2xx !== 0 || ingest.errors !== 0) console.log("  WARNING: some requests were not answered 202");
console.log(
  `  load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);

// ── gas ──
const gas = [];
for (const hardfork of ["cancun", "default"]) gas.push(await benchGas({ hardfork, payloadBytes: 8 }));
for (const g of gas) {
  const rules =
    g.hardfork === "cancun"
      ? "cancun (16/4 gas per calldata byte: the floor's own pricing)"
      : "anvil default (latest hardfork, EIP-7623 calldata floor; the devnet's)";
  console.log(`\ngas: ${rules}; readings with an 8-byte payload (record = ${g.rows[0].payloadBytes - 4} bytes)`);
  console.log("  records  payload B      gas    gas/record  floor/record   ratio");
  for (const r of g.rows) {
    console.log(
      `  ${String(r.records).padStart(7)}  ${String(r.payloadBytes).padStart(9)}  ${String(r.gas).padStart(7)}  ${fmt(r.gasPerRecord).padStart(10)}  ${fmt(r.floorPerRecord).padStart(12)}  ${fmt(r.ratio, 3).padStart(6)}`,
    );
  }
}

// ── console (issue 30): its pages with 10,000 devices and 1,000,000 readings in the outbox ──
const consolePages = await benchConsole();
printConsole(consolePages);

const cancun = gas.find((g) => g.hardfork === "cancun");
const at100 = cancun.rows.find((r) => r.records === 100);
const atMax = cancun.rows.find((r) => r.records === largestBatch(8));
console.log("");
console.log(`BENCH gateway.ingest_per_s ${Math.round(ingest.perSecond)} readings/s`);
console.log(`BENCH gateway.ingest_p99_ms ${ingest.latency.p99} ms`);
console.log(`BENCH gateway.gas_per_record.1 ${Math.round(cancun.rows[0].gasPerRecord)} gas`);
console.log(`BENCH gateway.gas_per_record.10 ${Math.round(cancun.rows[1].gasPerRecord)} gas`);
console.log(`BENCH gateway.gas_per_record.100 ${Math.round(at100.gasPerRecord)} gas`);
console.log(`BENCH gateway.gas_per_record.max ${Math.round(atMax.gasPerRecord)} gas`);
console.log(`BENCH gateway.gas_floor_per_record.100 ${Math.round(at100.floorPerRecord)} gas`);
console.log(`BENCH gateway.gas_vs_floor.100 ${at100.ratio.toFixed(3)} x`);
const latest = gas.find((g) => g.hardfork === "default").rows.find((r) => r.records === 100);
console.log(`BENCH gateway.gas_vs_floor.100.eip7623 ${latest.ratio.toFixed(3)} x`);
console.log(`BENCH console.page_ms.p95 ${consolePages.p95.toFixed(1)} ms`);
