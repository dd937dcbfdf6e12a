#!/usr/bin/env node
// `npm start`: the whole local stack with development keys. Ctrl-C stops everything.
//   npm start                  devnet + gateway on 8545 (chain), 5004 (rollup API), 8080 (node APIs), 3000 (gateway)
//   npm start -- --simulate    also streams readings from simulated devices
//   npm start -- --fresh       forgets the previous run's chain, node and gateway state (.lcore/)
//   npm start -- --machine riscv64   the dApp bundle on Debian's riscv64 Node under qemu-user (fetched on first use)
//   npm start -- --machine riscv64-vm   the same Node in a whole riscv64 system under qemu-system
//   npm start -- --gateway-port N (and --anvil-port, --rollup-port, --api-port; 0 = any free port)
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { assertPortsFree } from "./ports.mjs";
import { DEV_SECRETS, MACHINES, ROOT, startStack } from "./stack.mjs";

const USAGE = `usage: npm start -- [--simulate] [--fresh] [--verbose] [--state-dir DIR] [--machine ${MACHINES.join("|")}]
                    [--anvil-port N] [--rollup-port N] [--api-port N] [--gateway-port N] [--shards N]
  --machine riscv64   run the dApp bundle on Debian trixie's riscv64 Node under qemu-riscv64-static
                      (fetched into ~/.cache/lcore on first use: npx lcore-devnet fetch-riscv64)
  --machine riscv64-vm  run it in a whole riscv64 system: Debian's riscv64 kernel under
                      qemu-system-riscv64, the rollup API over the VM's network (fetched on first use)
  --shards N          a fleet of N applications (1-3), one dApp process each, behind one fleet
                      gateway (docs/FLEET.md); the rollup ports after --rollup-port are used too`;
const port = { type: "string" };
const { values } = parseArgs({
  options: {
    simulate: { type: "boolean" },
    verbose: { type: "boolean" },
    fresh: { type: "boolean" },
    help: { type: "boolean" },
    "state-dir": { type: "string" },
    machine: { type: "string" },
    "anvil-port": port,
    "rollup-port": port,
    "api-port": port,
    "gateway-port": port,
    shards: { type: "string" },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const machine = values.machine ?? "host";
if (!MACHINES.includes(machine)) {
  console.error(`lcore: --machine must be ${MACHINES.join(", ")}, got ${JSON.stringify(machine)}`);
  process.exit(2);
}
const portArg = (name, fallback) => {
  const v = values[name] === undefined ? fallback : Number(values[name]);
  if (!Number.isInteger(v) || v < 0 || v > 65535) {
    console.error(`lcore: --${name} must be a port number (0-65535)`);
    process.exit(2);
  }
  return v;
};
const ports = {
  anvilPort: portArg("anvil-port", 8545),
  rollupPort: portArg("rollup-port", 5004),
  apiPort: portArg("api-port", 8080),
  gatewayPort: portArg("gateway-port", 3000),
};
const shards = values.shards === undefined ? 1 : Number(values.shards);
if (!Number.isInteger(shards) || shards < 1 || shards > 3) {
  console.error("lcore: --shards must be 1, 2 or 3 (anvil's free development accounts)");
  process.exit(2);
}
const stateDir = values["state-dir"] ?? join(ROOT, ".lcore");
// As typed in the shell: relative when it is below the current folder (.lcore), else absolute.
const below = relative(process.cwd(), stateDir);
const shownStateDir = below === "" ? "." : below.startsWith("..") || isAbsolute(below) ? stateDir : below;
const quiet = !values.verbose;
const logs = [];
const onLog = (chunk) => {
  if (!quiet) return process.stderr.write(chunk);
  logs.push(chunk);
  if (logs.length > 200) logs.shift();
  // The riscv64 runtime's first download takes minutes: its progress shows even when quiet.
  for (const line of String(chunk).split("\n")) if (/\briscv64: /.test(line)) process.stderr.write(`${line.trim()}\n`);
};

try {
  await assertPortsFree({
    "anvil, the chain's JSON-RPC": ports.anvilPort,
    "the rollup HTTP API for the dApp": ports.rollupPort,
    "the node's JSON-RPC, GraphQL and inspect": ports.apiPort,
    "the gateway": ports.gatewayPort,
  });
} catch (error) {
  console.error(`lcore: ${error.message}`);
  process.exit(1);
}
// Only once the ports are known to be free: a start that cannot run keeps the old state.
if (values.fresh) {
  rmSync(stateDir, { recursive: true, force: true });
  console.log(`lcore: --fresh: removed ${shownStateDir}/ (chain, node and gateway state)`);
}
console.log("lcore: starting the local stack (anvil, Cartesi v2 contracts, host-mode node, dApp, gateway)…");
// Until the stack is up, a signal aborts the start-up (which stops what already started).
const startup = new AbortController();
const abortStartup = () => startup.abort();
process.on("SIGINT", abortStartup);
process.on("SIGTERM", abortStartup);
// `npm start` runs this under `sh -c`, and a SIGTERM to npm stops that shell, which does not
// pass it on: this process is orphaned with the whole stack running. So an orphaned start
// stops as if it got the SIGTERM (before the banner and after).
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart) process.emit("SIGTERM");
}, 500).unref();
let running;
try {
  running = await startStack({ ...ports, stateDir, machine, shards, onLog, signal: startup.signal });
} catch (error) {
  if (startup.signal.aborted) {
    console.log("lcore: stopped");
    process.exit(0);
  }
  process.stderr.write(Buffer.concat(logs.map((c) => Buffer.from(c))));
  console.error(`lcore: ${error.message}`);
  process.exit(1);
}
const { stack, stop, failed } = running;
/** Where the dApp runs: production's Cartesi machine is riscv64, and the banner says how close this is. */
const MACHINE_LINES = {
  host: `Node ${process.version} on this ${process.arch} host (the Cartesi machine is riscv64: --machine riscv64 runs it there)`,
  riscv64: "riscv64: Debian trixie's Node under qemu-user, the Cartesi machine's instruction set",
  "riscv64-vm": "riscv64: a whole Debian trixie system under qemu-system, as in the Cartesi machine",
};
const gql = `curl -s ${stack.graphqlUrl} -H 'content-type: application/json' -d '{"query":"{ notices(last: 5) { edges { node { index input { index } payload } } } }"}'`;
console.log(`
lcore is running (development keys: nothing here is confidential).

  console          ${stack.gatewayUrl}/               (in a browser)
  gateway API      ${stack.gatewayUrl}/v1            docs: ${stack.gatewayUrl}/docs
  gateway metrics  ${stack.gatewayUrl}/metrics
  GraphQL          ${stack.graphqlUrl}   (GraphiQL in a browser)
  JSON-RPC         ${stack.jsonRpcUrl}
  inspect          ${stack.inspectUrl}   (POST: curl -s -X POST ${stack.inspectUrl} -d counters)
  dApp             ${MACHINE_LINES[machine]}
  chain (anvil)    ${stack.chainRpcUrl}   application ${stack.application}${
    stack.fleet
      ? `
  fleet            ${stack.fleet.shards.length} shards (applications ${stack.fleet.shards.map((s) => s.application).join(", ")}), LcoreFleet ${stack.fleet.registry}; panel ${stack.gatewayUrl}/console/fleet`
      : ""
  }
  all of it        ${shownStateDir}/stack.json

State lives in ${shownStateDir}/ (the chain, the node's database, the gateway's outbox) and
survives a restart; \`npm start -- --fresh\` starts over from an empty chain.

Try it:
  1. Simulated devices register and send signed readings:
       npx lcore-sim --gateway ${stack.gatewayUrl} --token ${DEV_SECRETS.ownerToken} --devices 3 --rate 2 --duration 10
  2. Follow one reading (the simulator's last line names one: device and seq):
       curl -s ${stack.gatewayUrl}/v1/readings/<device>/<seq>
  3. Find the dApp's notices over GraphQL:
       ${gql}
  4. The owner reads plaintext back:
       curl -s -H 'authorization: Bearer ${DEV_SECRETS.ownerToken}' ${stack.gatewayUrl}/v1/devices/<device>/records
  5. See it settle: periods close on the hour of chain time; move anvil's clock past it, and
     within seconds the gateway ticks, executes the settlement voucher, and the reading of
     step 2 turns "settled" with an inclusion proof checked by LcoreSettlement on chain:
       curl -s ${stack.chainRpcUrl} -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"evm_increaseTime","params":[3600]}'
       curl -s ${stack.chainRpcUrl} -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[]}'
       curl -s ${stack.gatewayUrl}/v1/readings/<device>/<seq>/proof
  6. Disclose a device's day (period = floor(timestamp / 86400)) with its aggregate recorded on
     chain. A day is disclosed once it is over on the later of the wall clock and the chain's,
     so move the chain a day on (evm_increaseTime 86400, then evm_mine, as in step 5), then:
       curl -s -H 'authorization: Bearer ${DEV_SECRETS.ownerToken}' -H 'content-type: application/json' ${stack.gatewayUrl}/v1/disclosures -d '{"device":"<device>","period":<period>,"aggregateVoucher":true}'
     and follow its statusUrl: the dApp's count, sum, min and max, then aggregateOnChain.executed
     once the gateway has executed the voucher (LcoreSettlement.aggregate(device, period)).
  7. Check everything from the chain alone, as a validator:
       npx lcore replay --rpc ${stack.chainRpcUrl} ${stack.fleet ? `--fleet ${stack.fleet.registry}` : `--application ${stack.application}`}

Ctrl-C stops everything.${quiet ? " (logs: npm start -- --verbose)" : ""}
`);

let simulator;
if (values.simulate) {
  simulator = spawn(
    process.execPath,
    [
      "gateway/dist/sim/cli.js",
      "--gateway",
      stack.gatewayUrl,
      "--token",
      DEV_SECRETS.ownerToken,
      "--devices",
      "10",
      "--rate",
      "5",
      "--duration",
      "86400",
    ],
    { cwd: ROOT, stdio: "inherit" },
  );
}

let stopping = false;
const shutdown = async (code) => {
  if (stopping) return;
  stopping = true;
  console.log("\nlcore: stopping…");
  // The simulator stops sending on SIGTERM and prints its summary; wait for it, so the
  // summary comes before the stack (its gateway) goes away.
  if (simulator !== undefined && simulator.exitCode === null && simulator.signalCode === null) {
    const exited = new Promise((resolve) => simulator.once("exit", resolve));
    simulator.kill("SIGTERM");
    await exited;
  }
  await stop();
  console.log("lcore: stopped");
  process.exit(code);
};
process.off("SIGINT", abortStartup);
process.off("SIGTERM", abortStartup);
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
failed.then((error) => {
  if (stopping) return;
  process.stderr.write(Buffer.concat(logs.map((c) => Buffer.from(c))));
  console.error(`lcore: ${error.message}`);
  void shutdown(1);
});
