#!/usr/bin/env node
// `npm start`: the whole local stack with development keys. Ctrl-C stops everything.
//   npm start                  devnet + gateway on 8545 (chain), 5004 (rollup API), 8080 (node APIs), 3000 (gateway)
//   npm start -- --simulate    also streams readings from simulated devices
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { DEV_SECRETS, ROOT, startStack } from "./stack.mjs";

const { values } = parseArgs({ options: { simulate: { type: "boolean" }, verbose: { type: "boolean" } } });
const quiet = !values.verbose;
const logs = [];
const onLog = (chunk) => {
  if (!quiet) return process.stderr.write(chunk);
  logs.push(chunk);
  if (logs.length > 200) logs.shift();
};

console.log("lcore: starting the local stack (anvil, Cartesi v2 contracts, host-mode node, dApp, gateway)…");
// Until the stack is up, a signal aborts the start-up (which stops what already started).
const startup = new AbortController();
const abortStartup = () => startup.abort();
process.on("SIGINT", abortStartup);
process.on("SIGTERM", abortStartup);
let running;
try {
  running = await startStack({ onLog, signal: startup.signal });
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
const gql = `curl -s ${stack.graphqlUrl} -H 'content-type: application/json' -d '{"query":"{ notices(last: 5) { edges { node { index input { index } payload } } } }"}'`;
console.log(`
lcore is running (development keys: nothing here is confidential).

  gateway API      ${stack.gatewayUrl}/v1            docs: ${stack.gatewayUrl}/docs
  gateway metrics  ${stack.gatewayUrl}/metrics
  GraphQL          ${stack.graphqlUrl}   (GraphiQL in a browser)
  JSON-RPC         ${stack.jsonRpcUrl}
  inspect          ${stack.inspectUrl}
  chain (anvil)    ${stack.chainRpcUrl}   application ${stack.application}
  all of it        .lcore/stack.json

Try it:
  1. Simulated devices register and send signed readings:
       node gateway/dist/sim/cli.js --gateway ${stack.gatewayUrl} --token ${DEV_SECRETS.ownerToken} --devices 3 --rate 2 --duration 10
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
  6. Check everything from the chain alone, as a validator:
       npx lcore replay --rpc ${stack.chainRpcUrl} --application ${stack.application}

Ctrl-C stops everything.${quiet ? " (logs: npm start -- --verbose)" : ""}
`);

let simulator;
if (values.simulate) {
  simulator = spawn(process.execPath, ["gateway/dist/sim/cli.js", "--gateway", stack.gatewayUrl, "--token", DEV_SECRETS.ownerToken, "--devices", "10", "--rate", "5", "--duration", "86400"], { cwd: ROOT, stdio: "inherit" });
}

let stopping = false;
const shutdown = async (code) => {
  if (stopping) return;
  stopping = true;
  console.log("\nlcore: stopping…");
  simulator?.kill("SIGTERM");
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
