#!/usr/bin/env node
// lcore replay --rpc URL --application ADDRESS [--dapp CMD] [--shadow CMD] [--node URL] [--from-block N]
// lcore decode HEX... (or hex on stdin): an output, notice, voucher, report or inspect answer as JSON.
// lcore migrate --from MVP.db --gateway URL ...: handed to @lcore/gateway (see below).
// The validator's tool: replays every input of the application from the chain through a fresh
// dApp in host mode and compares with the claims accepted on chain and with the state hashes its
// notices carry. Progress on stderr (a bar in place on a terminal); the report alone on stdout. Exit 0: no divergence; 1: a divergence; 2: bad usage or an error.

import { parseArgs } from "node:util";
import { DecodeInputError, decodeHex } from "@lcore/protocol/decode";
import { formatDivergence } from "./replay/divergence.js";
import { parseCommand } from "./replay/dappRunner.js";
import { replay } from "./replay/replay.js";
import { commandOnMachine, type Machine, parseMachine } from "./riscv64/machine.js";

const USAGE = `usage: lcore replay --rpc URL --application ADDRESS [--dapp "node dapp/dist/main.js"] [--shadow CMD] [--node URL] [--from-block N]
         [--dapp-machine M] [--shadow-machine M]   (M: host, riscv64 = the command's node as riscv64 Node under qemu-user,
                                                    riscv64-vm = that Node in a whole riscv64 system under qemu-system)
       lcore decode HEX...   (or the hex on stdin: a notice, voucher, report or inspect answer as JSON)
       lcore migrate --from MVP.db --gateway URL ... (lcore migrate --help)`;

// The migration client lives in the gateway, which imports @lcore/devnet in its tests; a
// specifier held in a variable keeps the compiler (and so the build order) out of it.
const MIGRATE_MODULE = "@lcore/gateway/migrate";

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "migrate") {
    const { runMigrateCli } = (await import(MIGRATE_MODULE)) as { runMigrateCli(argv: string[]): Promise<number> };
    return runMigrateCli(argv.slice(1));
  }
  if (argv[0] === "decode") return decode(argv.slice(1));
  if (argv[0] !== "replay") {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { values } = parseArgs({
    args: argv.slice(1),
    options: {
      rpc: { type: "string" }, application: { type: "string" }, dapp: { type: "string" },
      shadow: { type: "string" }, node: { type: "string" }, "from-block": { type: "string" }, help: { type: "boolean" },
      "dapp-machine": { type: "string" }, "shadow-machine": { type: "string" },
    },
  });
  if (values.help || !values.rpc || !values.application || !/^0x[0-9a-fA-F]{40}$/.test(values.application)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const fromBlock = values["from-block"] === undefined ? undefined : Number(values["from-block"]);
  if (fromBlock !== undefined && (!Number.isInteger(fromBlock) || fromBlock < 0)) {
    process.stderr.write(`--from-block must be a block number\n`);
    return 2;
  }
  let dappMachine: Machine;
  let shadowMachine: Machine;
  try {
    dappMachine = parseMachine(values["dapp-machine"]);
    shadowMachine = parseMachine(values["shadow-machine"]);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const report = await replay({
    rpcUrl: values.rpc, application: values.application as `0x${string}`,
    dapp: await commandOnMachine(dappMachine, parseCommand(values.dapp ?? "node dapp/dist/main.js")),
    shadow: values.shadow ? await commandOnMachine(shadowMachine, parseCommand(values.shadow)) : undefined,
    nodeUrl: values.node, fromBlock,
  });
  const lines: string[] = [];
  if (report.divergences[0]) lines.push(formatDivergence(report.divergences[0]));
  for (const d of report.shadowDivergences) lines.push(`shadow ${formatDivergence(d)}`);
  const total = report.divergences.length + report.shadowDivergences.length;
  lines.push(`${total === 0 ? "ok" : "DIVERGED"}: ${report.inputs} inputs, ${report.outputs} outputs, ${report.claimsChecked} claims checked` +
    `, ${report.stateHashesChecked} state hashes checked` +
    `${values.node ? `, ${report.nodeOutputsChecked} node outputs checked` : ""}${values.shadow ? `, ${report.shadowDivergences.length} shadow divergences` : ""}` +
    `, ${report.records} records, ${report.recordsPerSecond.toFixed(1)} records/s in ${report.seconds.toFixed(1)} s`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return total === 0 ? 0 : 1;
}

async function decode(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write("usage: lcore decode HEX...   (no HEX: one per line on stdin)\n" +
      "A v2 output (Notice/Voucher call), a notice's payload, a report or an inspect answer, as JSON.\n");
    return 0;
  }
  let inputs = args;
  if (inputs.length === 0) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    inputs = Buffer.concat(chunks).toString("utf8").split(/\s+/).filter((s) => s !== "");
  }
  let failed = 0;
  for (const hex of inputs) {
    try {
      process.stdout.write(`${JSON.stringify(decodeHex(hex), null, 2)}\n`);
    } catch (error) {
      if (!(error instanceof DecodeInputError)) throw error;
      process.stderr.write(`lcore decode: ${error.message}: ${hex.length > 24 ? `${hex.slice(0, 24)}…` : hex}\n`);
      failed++;
    }
  }
  return failed === 0 ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: Error) => { process.stderr.write(`lcore ${process.argv[2] ?? ""}: ${err.message}\n`); process.exitCode = 2; },
);
