// Console bench (issue 30 point 4): the console's pages against an outbox seeded with a
// fleet (seedFleet.mjs: 10,000 devices, 1,000,000 readings by default), over HTTP to a
// listening gateway (no chain: what is measured is the gateway's reads). Each page kind is
// asked SAMPLES times with varying devices, cursors and searches; the figure is the p95 of
// all answers' wall time, and every answer must be 200.
//
//   node bench/console.mjs            (seeds a fresh outbox in a temporary directory)
//   BENCH_CONSOLE_OUTBOX=/path/o.db   reuse an outbox seeded before with the same sizes
//   BENCH_CONSOLE_DEVICES, BENCH_CONSOLE_READINGS, BENCH_CONSOLE_SAMPLES (default 20)

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../dist/app.js";
import { Secret } from "../dist/util/secrets.js";
import { builtGateway, fleetKeys, seedFleet } from "./seedFleet.mjs";

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** The page kinds and the URL of sample i (devices: the fleet's addresses). */
function pages(devices) {
  const at = (i) => devices[(i * 7919) % devices.length];
  return {
    "devices, first page": () => "/v1/console/devices?limit=50",
    "devices, page after a cursor": (i) => `/v1/console/devices?limit=50&after=${at(i)}`,
    "devices, address prefix": (i) => `/v1/console/devices?q=${at(i).slice(0, 8)}`,
    "devices, full address": (i) => `/v1/console/devices?q=${at(i)}`,
    "devices, metadata search": (i) => `/v1/console/devices?q=${encodeURIComponent(`site-${i % 97}"`)}`,
    "devices, metadata search (rare)": (i) => `/v1/console/devices?q=SN-${100000 + ((i * 7919) % devices.length)}`,
    "devices, by seq": (i) => `/v1/console/devices?seq=${(i % 90) + 1}`,
    "devices, status filter": () => "/v1/console/devices?status=registered",
    "devices, rejected": (i) => `/v1/console/devices?rejected=1${i % 2 ? `&after=${at(i)}` : ""}`,
    "devices, not settled": (i) => `/v1/console/devices?unsettled=1${i % 2 ? `&after=${at(i)}` : ""}`,
    "devices, silent 1 day": (i) => `/v1/console/devices?silentSeconds=86400${i % 2 ? `&after=${at(i)}` : ""}`,
    "devices, no match": () => "/v1/console/devices?q=no-such-metadata&rejected=1",
    "device page": (i) => `/v1/console/devices/${at(i)}`,
    "device readings": (i) => `/v1/console/devices/${at(i)}/readings?limit=50`,
    "device values (owner)": (i) => `/v1/console/devices/${at(i)}/values?limit=200`,
    disclosures: () => "/v1/console/disclosures",
    health: () => "/v1/console/health",
    overview: () => "/v1/overview",
  };
}

export async function benchConsole({
  devices = Number(process.env.BENCH_CONSOLE_DEVICES ?? 10_000),
  readings = Number(process.env.BENCH_CONSOLE_READINGS ?? 1_000_000),
  samples = Number(process.env.BENCH_CONSOLE_SAMPLES ?? 20),
  log = console.log,
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), "lcore-console-bench-"));
  const reuse = process.env.BENCH_CONSOLE_OUTBOX;
  const path = reuse ?? join(dir, "outbox.db");
  try {
    const t0 = performance.now();
    const reused = reuse !== undefined && existsSync(reuse);
    const seeded = reused
      ? { ...fleetKeys(devices), readings }
      : seedFleet({ path, devices, readings, log, gateway: await builtGateway() });
    const seedS = reused ? 0 : (performance.now() - t0) / 1000;
    const token = "console-bench-owner-token";
    const app = await buildApp({
      outboxPath: path,
      ownerKey: new Secret(seeded.ownerKey),
      ownerToken: new Secret(token),
      submitterKey: new Secret(`0x${"11".repeat(32)}`),
      app: `0x${Buffer.from(seeded.app).toString("hex")}`,
      chainId: 31337n,
    });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const times = {};
    try {
      const kinds = pages(seeded.addresses);
      // One warm-up round: statements prepared, pages of the file in the OS cache.
      for (const make of Object.values(kinds))
        await fetch(url + make(0), { headers: { authorization: `Bearer ${token}` } });
      for (let i = 1; i <= samples; i++) {
        for (const [kind, make] of Object.entries(kinds)) {
          const started = performance.now();
          const res = await fetch(url + make(i), { headers: { authorization: `Bearer ${token}` } });
          await res.arrayBuffer();
          const ms = performance.now() - started;
          if (res.status !== 200) throw new Error(`${make(i)}: HTTP ${res.status}`);
          times[kind] = [...(times[kind] ?? []), ms];
        }
      }
    } finally {
      await app.close();
    }
    const all = Object.values(times).flat();
    return {
      seedS,
      devices,
      readings: seeded.readings,
      samples,
      times,
      p95: percentile(all, 95),
      p50: percentile(all, 50),
      max: Math.max(...all),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printConsole(r, log = console.log) {
  log(
    `\nconsole: ${r.devices} devices, ${r.readings} readings in the outbox (seeded in ${r.seedS.toFixed(1)} s), ${r.samples} samples per page kind over HTTP`,
  );
  log("  page kind                          p50 ms   p95 ms   max ms");
  for (const [kind, xs] of Object.entries(r.times))
    log(
      `  ${kind.padEnd(34)} ${percentile(xs, 50).toFixed(1).padStart(6)}   ${percentile(xs, 95).toFixed(1).padStart(6)}   ${Math.max(
        ...xs,
      )
        .toFixed(1)
        .padStart(6)}`,
    );
  log(`  all pages: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchConsole();
  printConsole(r);
  console.log("");
  console.log(`BENCH console.page_ms.p95 ${r.p95.toFixed(1)} ms`);
}
