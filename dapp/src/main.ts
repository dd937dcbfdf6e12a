#!/usr/bin/env node
// The dApp process: open the state, then serve the rollup HTTP API at
// ROLLUP_HTTP_SERVER_URL until killed, with the Dapp as the loop's handler.
// LCORE_DAPP_PROBE_FILE=<path> turns on the benchmark probe, whose totals are written
// there after every advance.

import "./wasmTier.js"; // first: V8 flags before any WebAssembly is compiled
import { openSync, writeSync } from "node:fs";
import { Dapp } from "./app/dapp.js";
import { createClockProbe } from "./context/probe.js";
import { nativeSecp256k1 } from "./crypto/secp256k1.js";
import { fallbackNotice } from "@lcore/dapp/native";
import { RollupClient } from "./rollup/client.js";
import { runRollupLoop } from "./rollup/loop.js";

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(
    "usage: lcore-dapp        (the Cartesi machine's back-end; a node starts it)\n\n" +
      "Serves the rollup HTTP API loop at ROLLUP_HTTP_SERVER_URL (default http://127.0.0.1:5004) until killed.\n" +
      "LCORE_DAPP_PROBE_FILE=<path> writes benchmark totals there after every advance.\n",
  );
  process.exit(0);
}

const url = process.env.ROLLUP_HTTP_SERVER_URL ?? "http://127.0.0.1:5004";
const probeFile = process.env.LCORE_DAPP_PROBE_FILE;
const probe = probeFile === undefined || probeFile === "" ? undefined : createClockProbe();
const log = (line: string) => process.stderr.write(`lcore-dapp: ${line}\n`);

// A stop request ends the process at once: the state is in memory and the node replays.
// (An explicit exit also lets `node --cpu-prof` write its profile.)
process.on("SIGTERM", () => process.exit(0));

const dapp = await Dapp.create({ ...(probe === undefined ? {} : { probe }), log });
// The probe's totals overwrite the file's first bytes after each advance: one positioned
// write on a descriptor kept open, padded so a shorter dump leaves no stale tail.
const probeFd = probe === undefined ? -1 : openSync(probeFile!, "w");
const dumpProbe = () => {
  const text = Buffer.from(JSON.stringify(probe!.totals()).padEnd(1024, " "));
  writeSync(probeFd, text, 0, text.length, 0);
};
if (nativeSecp256k1.reason !== undefined) process.stderr.write(`${fallbackNotice(nativeSecp256k1.reason)}\n`);
const client = new RollupClient(url);
log(`serving ${url}`);
try {
  await runRollupLoop(dapp, client, {
    ...(probe === undefined ? {} : { afterAdvance: dumpProbe }),
  });
} catch (e) {
  // The rollup server failed us (host mode only: in the machine it cannot). Say so,
  // and stop: a restarted host-mode dApp replays from a fresh state.
  log(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  try {
    await client.exception(new TextEncoder().encode(`lcore-dapp fatal: ${e instanceof Error ? e.message : String(e)}`));
  } catch {
    // The server is gone; the exit code says enough.
  }
  process.exit(1);
}
