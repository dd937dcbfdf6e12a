// Ingest bench: readings/s committed to the durable outbox and the p99 latency of
// POST /v1/readings, with the gateway and the load generator in separate processes.
// The gateway runs as `lcore-gateway` (dist/main.js) on a fresh outbox, without a
// chain, so what is measured is check → verify → seal → group commit → 202.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

function lines(stream, onLine) {
  let buf = "";
  stream.on("data", (chunk) => {
    buf += chunk.toString("utf8");
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

export async function startGatewayProcess(env) {
  const child = spawn(process.execPath, [here("../dist/main.js")], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const errors = [];
  lines(child.stderr, (l) => errors.push(l));
  const url = await new Promise((resolve, reject) => {
    lines(child.stdout, (l) => {
      const m = /^lcore-gateway listening on (\S+)/.exec(l);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`gateway exited ${code}: ${errors.join("\n")}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export async function benchIngest({
  connections = 64,
  devicesPerConnection = 16,
  warmupS = 3,
  durationS = 10,
  perConnection = 2500,
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), "lcore-gw-bench-"));
  const token = randomBytes(24).toString("hex");
  const gateway = await startGatewayProcess({
    LCORE_GW_PORT: "0",
    LCORE_GW_DATA_DIR: dir,
    LCORE_GW_OWNER_KEY: randomBytes(32).toString("hex"),
    LCORE_GW_OWNER_TOKEN: token,
    LCORE_GW_SUBMITTER_KEY: randomBytes(32).toString("hex"),
    LCORE_GW_APP: `0x${randomBytes(20).toString("hex")}`,
    LCORE_GW_CHAIN_ID: "31337",
    LCORE_GW_LOG_LEVEL: "warn",
  });
  try {
    const load = spawn(
      process.execPath,
      [
        here("./load.mjs"),
        gateway.url,
        token,
        String(connections),
        String(devicesPerConnection),
        String(warmupS),
        String(durationS),
        String(perConnection),
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    load.stdout.on("data", (c) => (out += c));
    load.stderr.on("data", (c) => (err += c));
    const code = await new Promise((r) => load.once("exit", r));
    if (code !== 0) throw new Error(`load generator exited ${code}: ${err}`);
    const result = JSON.parse(out.trim().split("\n").pop());
    const health = await (await fetch(`${gateway.url}/healthz`)).json();
    const committed = result["2xx"];
    return {
      connections,
      durationS: result.duration,
      accepted: committed,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      perSecond: committed / result.duration,
      latency: result.latency,
      // Every 202 of both runs must be a committed row: the durable count, read back.
      outboxQueued: health.outboxQueued,
      sentTotal: result.sentTotal,
      signatureBackend: health.signatureBackend,
    };
  } finally {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
