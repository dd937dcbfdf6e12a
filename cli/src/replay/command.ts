// `lcore replay`, the validator's tool: replays every input of the application from the chain
// through a fresh dApp in host mode and compares with the claims accepted on chain, with a
// node's outputs and the epochs it lists as accepted (--node: each must have its ClaimAccepted
// on chain), with a shadow build (--shadow) and with the state hashes lcore's notices carry. Progress on stderr (a bar in place on a terminal); the report alone on
// stdout. Exit 0: no divergence; 1: a divergence; 2: bad usage or an error.

import { parseArgs } from "node:util";
import { commandOnMachine, formatDivergence, type Machine, parseCommand, parseMachine } from "@lcore/devnet/replay";
import { fleetReplay } from "./fleetReplay.js";
import { type LcoreReplayReport, lcoreReplay } from "./lcoreReplay.js";

export const LCORE_USAGE = `usage: lcore replay --rpc URL --application ADDRESS [--dapp "node dapp/dist/main.js"] [--shadow CMD] [--node URL] [--from-block N]
         [--dapp-machine M] [--shadow-machine M]   (M: host, riscv64 = the command's node as riscv64 Node under qemu-user,
                                                    riscv64-vm = that Node in a whole riscv64 system under qemu-system)
       lcore replay --rpc URL --fleet REGISTRY [--parallel N] [same options]   (every shard of an LcoreFleet, N at once;
                                                    default N: the machine's cores)
       lcore decode HEX...   (or the hex on stdin: a notice, voucher, report or inspect answer as JSON)
       lcore migrate --from MVP.db --gateway URL ... (lcore migrate --help)
       lcore verify BUNDLE --rpc URL [--application ADDRESS] (lcore verify --help)
       lcore evidence export --gateway URL --device ADDRESS ... (lcore evidence export --help)`;

const OPTIONS = {
  rpc: { type: "string" },
  application: { type: "string" },
  dapp: { type: "string" },
  shadow: { type: "string" },
  node: { type: "string" },
  "from-block": { type: "string" },
  help: { type: "boolean" },
  "dapp-machine": { type: "string" },
  "shadow-machine": { type: "string" },
  fleet: { type: "string" },
  parallel: { type: "string" },
} as const;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export async function runReplayCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  const target = values.fleet ?? values.application;
  if (values.help || !values.rpc || !target || !ADDRESS.test(target) || (values.fleet && values.application)) {
    process.stderr.write(`${LCORE_USAGE}\n`);
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
  const common = {
    rpcUrl: values.rpc,
    dapp: await commandOnMachine(dappMachine, parseCommand(values.dapp ?? "node dapp/dist/main.js")),
    shadow: values.shadow ? await commandOnMachine(shadowMachine, parseCommand(values.shadow)) : undefined,
    nodeUrl: values.node,
    fromBlock,
  };
  const shown = { node: Boolean(values.node), shadow: Boolean(values.shadow) };
  if (values.fleet) {
    const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
    if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1)) {
      process.stderr.write("--parallel must be a positive integer\n");
      return 2;
    }
    const shards = await fleetReplay({ ...common, registry: values.fleet as `0x${string}`, parallel });
    let diverged = 0;
    for (const { shard, application, report } of shards) {
      for (const line of formatReport(report, shown)) process.stdout.write(`shard ${shard} ${application}: ${line}\n`);
      if (report.divergences.length + report.shadowDivergences.length > 0) diverged++;
    }
    process.stdout.write(
      `${diverged === 0 ? "fleet ok" : "fleet DIVERGED"}: ${shards.length} shards, ${diverged} diverged\n`,
    );
    return diverged === 0 ? 0 : 1;
  }
  const report = await lcoreReplay({ ...common, application: values.application as `0x${string}` });
  process.stdout.write(`${formatReport(report, shown).join("\n")}\n`);
  return report.divergences.length + report.shadowDivergences.length === 0 ? 0 : 1;
}

/**
 * The first divergence, every shadow divergence, then one `ok:` or `DIVERGED:` line. Its fields
 * keep their order (scripts parse it); the node's claims checked, added later, come last.
 */
export function formatReport(report: LcoreReplayReport, shown: { node: boolean; shadow: boolean }): string[] {
  const lines: string[] = [];
  if (report.divergences[0]) lines.push(formatDivergence(report.divergences[0]));
  for (const d of report.shadowDivergences) lines.push(`shadow ${formatDivergence(d)}`);
  const total = report.divergences.length + report.shadowDivergences.length;
  lines.push(
    `${total === 0 ? "ok" : "DIVERGED"}: ${report.inputs} inputs, ${report.outputs} outputs, ${report.claimsChecked} claims checked` +
      `, ${report.stateHashesChecked} state hashes checked` +
      `${shown.node ? `, ${report.nodeOutputsChecked} node outputs checked` : ""}${shown.shadow ? `, ${report.shadowDivergences.length} shadow divergences` : ""}` +
      `, ${report.records} records, ${report.recordsPerSecond.toFixed(1)} records/s in ${report.seconds.toFixed(1)} s` +
      `${shown.node ? `, ${report.nodeClaimsChecked} node claims checked` : ""}`,
  );
  return lines;
}
