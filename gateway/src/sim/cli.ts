#!/usr/bin/env node
// lcore-sim --gateway URL --devices 100 --rate 50 --duration 60
//
// Registers --devices devices (keys derived from --seed, so a rerun reuses them),
// streams signed readings at --rate per second (the whole fleet's rate) for --duration seconds with live progress
// on stderr (progressLine.ts; Ctrl-C stops early and still summarises), follows every receipt until the dApp's verdict (--follow seconds, 0 to
// skip), and prints a summary: sent, accepted, rejected by reason, latency p50/p99, and
// the last reading the gateway took (device, seq, status URL).
// The owner token (needed to register) comes from --token or LCORE_GW_OWNER_TOKEN.

import { parseArgs } from "node:util";
import { progressWriter } from "./progressLine.js";
import { type SimProgress, simulate } from "./run.js";

const USAGE = `usage: lcore-sim --gateway URL [--devices N] [--rate R] [--duration S] [--seed TEXT]
                 [--token TOKEN] [--follow S] [--payload-bytes N] [--json]

  --gateway URL        the gateway (npm start's: http://127.0.0.1:3000)
  --devices N          devices to register and simulate, 1..100000 (default 10)
  --rate R             readings per second for the whole fleet, not per device, 0.01..100000
                       (default 10: with 10 devices, one reading per device a second)
  --duration S         seconds to stream (default 10); Ctrl-C stops early and still summarises
  --seed TEXT          derives the device keys, so a rerun reuses the same devices (default lcore-sim)
  --token TOKEN        the owner token (or LCORE_GW_OWNER_TOKEN), needed to register devices
  --follow S           seconds to follow receipts to the dApp's verdict after streaming (default 60; 0 skips)
  --payload-bytes N    plaintext bytes per reading, 0..1024 (default 8)
  --json               the summary as JSON on stdout`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      gateway: { type: "string" },
      devices: { type: "string", default: "10" },
      rate: { type: "string", default: "10" },
      duration: { type: "string", default: "10" },
      seed: { type: "string", default: "lcore-sim" },
      token: { type: "string" },
      follow: { type: "string", default: "60" },
      "payload-bytes": { type: "string", default: "8" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help === true || values.gateway === undefined) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help === true ? 0 : 2);
  }
  const num = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      process.stderr.write(`lcore-sim: --${name} must be a number in ${min}..${max}\n`);
      process.exit(2);
    }
    return n;
  };
  const token = values.token ?? process.env.LCORE_GW_OWNER_TOKEN;
  if (token === undefined || token === "") {
    process.stderr.write(
      "lcore-sim: the owner token is needed to register devices (--token or LCORE_GW_OWNER_TOKEN)\n",
    );
    process.exit(2);
  }
  const progress = progressWriter(process.stderr, process.stderr.isTTY === true);
  let latest: SimProgress | undefined;
  // Ctrl-C (or the SIGTERM of `npm start` stopping) ends the stream; the summary still prints.
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  process.once("SIGTERM", () => stop.abort());
  const summary = await simulate({
    signal: stop.signal,
    gateway: values.gateway,
    token,
    devices: num("devices", values.devices!, 1, 100_000),
    rate: num("rate", values.rate!, 0.01, 100_000),
    durationS: num("duration", values.duration!, 0.01, 86_400),
    seed: values.seed!,
    followS: num("follow", values.follow!, 0, 86_400),
    payloadBytes: num("payload-bytes", values["payload-bytes"]!, 0, 1024),
    onProgress: (p) => {
      latest = p;
      progress.update(p);
    },
  });
  if (latest !== undefined) progress.end(latest);
  const { readings, devices: _devices, ...rest } = summary;
  // The newest reading the gateway took: what the walkthrough of `npm start` follows to its notice and settlement.
  const taken = readings.filter((r) => r.status === 202).at(-1)?.reading;
  const last =
    taken === undefined
      ? undefined
      : {
          device: taken.device,
          seq: taken.seq,
          statusUrl: `${values.gateway.replace(/\/$/, "")}/v1/readings/${taken.device}/${taken.seq}`,
        };
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ ...rest, ...(last === undefined ? {} : { last }) })}\n`);
    return;
  }
  const lines = [
    `devices   ${summary.devices.length}`,
    `sent      ${summary.sent}`,
    `accepted  ${summary.accepted} (202 from the gateway)`,
    `rejected  ${summary.sent - summary.accepted}${Object.entries(summary.rejected)
      .map(([k, v]) => `\n  ${k}  ${v}`)
      .join("")}`,
    `latency   p50 ${summary.latencyMs.p50.toFixed(1)} ms  p99 ${summary.latencyMs.p99.toFixed(1)} ms  max ${summary.latencyMs.max.toFixed(1)} ms`,
  ];
  if (summary.onChain !== undefined) {
    lines.push(
      `on chain  accepted ${summary.onChain.accepted}${Object.entries(summary.onChain.rejected)
        .map(([k, v]) => `\n  rejected ${k}  ${v}`)
        .join("")}`,
    );
  }
  if (last !== undefined) lines.push(`last      device ${last.device} seq ${last.seq}\n          ${last.statusUrl}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`lcore-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
