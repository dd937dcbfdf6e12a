// The devnet from the command line: `cartesi-devnet` (bin/cartesi-devnet.js, main.ts) and any
// dApp's own command built on it (lcore's `lcore-devnet` passes its afterDeploy hook). Prints
// exactly one JSON line on stdout when ready; everything else (its log, anvil's, the dApp's)
// goes to stderr. Exit 0 on SIGINT/SIGTERM, 1 when the stack fails, 2 on bad usage.

import { parseArgs } from "node:util";
import type { Hex } from "viem";
import {
  BLOCK_CONFIDENCES,
  type BlockConfidence,
  DEFAULT_ANVIL_PORT,
  DEFAULT_API_PORT,
  DEFAULT_EPOCH_LENGTH,
  DEFAULT_ROLLUP_HTTP_PORT,
  DEFAULT_STATE_DIR,
} from "./defaults.js";
import type { AfterDeploy, Devnet, DevnetOptions } from "./devnet.js";
import type { Machine } from "./riscv64/machine.js";

export interface DevnetCliOptions<Extra extends object = Record<never, never>> {
  /** The command's name in its usage and its messages. */
  name: string;
  /** What the command does beyond the generic devnet, for its usage text (a sentence or two). */
  about?: string;
  /** startDevnet's hook: deploys the dApp's own contracts. */
  afterDeploy?: AfterDeploy<Extra>;
}

function usage(cli: DevnetCliOptions<object>): string {
  const { name } = cli;
  return `usage: ${name} [options] [-- <dApp command...>]
       ${name} fetch-riscv64   (fetch the riscv64 Node runtime into the cache; prints its paths as JSON)

Starts anvil (or attaches to --rpc-url), deploys the Cartesi Rollups v2.2.0 contracts and an
application, runs the host-mode node driving the dApp, and serves JSON-RPC (/rpc), GraphQL
(/graphql) and inspect (/inspect/<application>). Without a dApp command the node waits for a
dApp started elsewhere at the rollup HTTP URL.${cli.about === undefined ? "" : `\n${cli.about}`}

options:
  --state-dir DIR        state directory (default ${DEFAULT_STATE_DIR})
  --epoch-length N       blocks per epoch (default ${DEFAULT_EPOCH_LENGTH})
  --port N               read APIs port (default ${DEFAULT_API_PORT}; 0 = free port)
  --rollup-port N        rollup HTTP API port for the dApp (default ${DEFAULT_ROLLUP_HTTP_PORT}; 0 = free port)
  --anvil-port N         anvil port (default ${DEFAULT_ANVIL_PORT}; 0 = free port)
  --block-time S         seconds between interval-mined anvil blocks (default 1)
  --slots-in-an-epoch N  anvil's safe block is N blocks behind latest, finalized 2N (default 1)
  --block B              blocks the node reads: latest, safe or finalized (default finalized,
                         or CARTESI_BLOCKCHAIN_DEFAULT_BLOCK as the real node names it)
  --host ADDR            interface to bind (default 127.0.0.1)
  --rpc-url URL          attach to this chain instead of starting anvil (needs --private-key)
  --private-key KEY      key that deploys, owns the application and submits claims
  --app-name NAME        application name in the read APIs (default app)
  --applications N       deploy and run N applications of the same template side by side, one
                         dApp process each (default 1; at most 16); the others are named
                         NAME-1, NAME-2, … and take the rollup ports after --rollup-port
  --machine M            host (default), riscv64: run the dApp command's node as Debian's
                         riscv64 Node under qemu-riscv64-static, or riscv64-vm: that Node in a
                         whole riscv64 system (Debian's kernel under qemu-system-riscv64);
                         fetched on first use
  -h, --help             this text`;
}

const OPTIONS = {
  "state-dir": { type: "string" },
  "epoch-length": { type: "string" },
  port: { type: "string" },
  "rollup-port": { type: "string" },
  "anvil-port": { type: "string" },
  "block-time": { type: "string" },
  "slots-in-an-epoch": { type: "string" },
  block: { type: "string" },
  host: { type: "string" },
  "rpc-url": { type: "string" },
  "private-key": { type: "string" },
  "app-name": { type: "string" },
  applications: { type: "string" },
  machine: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Run the devnet command with `argv` (the arguments after the command's name) until a signal
 * stops it; exits the process itself on usage errors, failures and signals.
 */
export async function runDevnetCli<Extra extends object = Record<never, never>>(
  argv: string[],
  cli: DevnetCliOptions<Extra>,
): Promise<void> {
  if (argv[0] === "fetch-riscv64") return fetchRiscv64(cli.name);
  const fail = (message: string): never => {
    process.stderr.write(`${cli.name}: ${message}\n${usage(cli)}\n`);
    process.exit(2);
  };
  const { options, machine } = await parseDevnetArgs(argv, cli, fail);
  if (cli.afterDeploy) options.afterDeploy = cli.afterDeploy;
  await runUntilStopped(cli.name, options, machine);
}

/** The runtime fetcher on its own, for CI or a first run before going offline. */
async function fetchRiscv64(name: string): Promise<void> {
  const { fetchRiscv64Runtime } = await import("./riscv64/runtime.js");
  try {
    const runtime = await fetchRiscv64Runtime();
    process.stdout.write(`${JSON.stringify(runtime)}\n`);
    process.exit(0);
  } catch (err) {
    process.stderr.write(`${name} fetch-riscv64: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** The command line as startDevnet options, and the machine the dApp command runs on; --help answers here. */
async function parseDevnetArgs<Extra extends object>(
  argv: string[],
  cli: DevnetCliOptions<Extra>,
  fail: (message: string) => never,
): Promise<{ options: DevnetOptions<Extra>; machine: Machine }> {
  const separator = argv.indexOf("--");
  const ownArgs = separator === -1 ? argv : argv.slice(0, separator);
  const dappCommand = separator === -1 ? [] : argv.slice(separator + 1);
  let values: Record<string, string | boolean | undefined> = {};
  try {
    ({ values } = parseArgs({ args: ownArgs, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage(cli)}\n`);
    process.exit(0);
  }
  const str = (name: string) => values[name] as string | undefined;
  const integer = (name: string): number | undefined => {
    const value = str(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) fail(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
    return Number(value);
  };
  const options: DevnetOptions<Extra> = {};
  const set = <K extends keyof DevnetOptions<Extra>>(key: K, value: DevnetOptions<Extra>[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set("stateDir", str("state-dir"));
  set("epochLength", integer("epoch-length"));
  set("port", integer("port"));
  set("rollupHttpPort", integer("rollup-port"));
  set("anvilPort", integer("anvil-port"));
  set("host", str("host"));
  set("rpcUrl", str("rpc-url"));
  set("privateKey", str("private-key") as Hex | undefined);
  set("applicationName", str("app-name"));
  set("applications", integer("applications"));
  if (options.applications === 0) fail("--applications must be at least 1");
  set("slotsInAnEpoch", integer("slots-in-an-epoch"));
  if (options.slotsInAnEpoch === 0) fail("--slots-in-an-epoch must be at least 1");
  set("blockConfidence", blockConfidence(str("block"), fail));
  if (str("block-time") !== undefined) {
    const blockTime = Number(str("block-time"));
    if (!(blockTime > 0)) fail("--block-time must be a positive number of seconds");
    options.blockTime = blockTime;
  }
  const { parseMachine } = await import("./riscv64/machine.js");
  let machine: Machine = "host";
  try {
    machine = parseMachine(str("machine"));
  } catch (err) {
    fail((err as Error).message);
  }
  if (machine !== "host" && dappCommand.length === 0) fail(`--machine ${machine} needs a dApp command after --`);
  if (dappCommand.length > 0) options.dapp = dappCommand;
  if ((options.rpcUrl === undefined) !== (options.privateKey === undefined))
    fail("--rpc-url and --private-key go together");
  return { options, machine };
}

/** --block, else CARTESI_BLOCKCHAIN_DEFAULT_BLOCK, else the default (undefined). */
function blockConfidence(flag: string | undefined, fail: (message: string) => never): BlockConfidence | undefined {
  const env = process.env.CARTESI_BLOCKCHAIN_DEFAULT_BLOCK;
  const value = flag ?? (env === "" ? undefined : env);
  if (value === undefined) return undefined;
  const from = flag === undefined ? "CARTESI_BLOCKCHAIN_DEFAULT_BLOCK" : "--block";
  if (value === "pending") fail(`${from} pending is not supported: the node reads mined blocks only (use latest)`);
  if (!(BLOCK_CONFIDENCES as readonly string[]).includes(value))
    fail(`${from} must be ${BLOCK_CONFIDENCES.join(", ")}, got ${JSON.stringify(value)}`);
  return value as BlockConfidence;
}

/** Start the devnet, print the ready line, and stop it on SIGINT/SIGTERM (a second signal exits at once) or when it fails. */
async function runUntilStopped<Extra extends object>(
  name: string,
  options: DevnetOptions<Extra>,
  machine: Machine,
): Promise<void> {
  const abort = new AbortController();
  options.signal = abort.signal;
  let devnet: Devnet<Extra> | undefined;
  let exiting = false;
  const shutdown = async (code: number): Promise<never> => {
    if (!exiting) {
      exiting = true;
      await devnet?.stop();
    }
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (exiting) process.exit(1); // a second signal: do not wait any longer
      abort.abort();
      if (devnet) void shutdown(0);
    });
  }

  try {
    // Loaded only now: usage errors answer without loading viem, GraphQL and SQLite.
    const { startDevnet } = await import("./devnet.js");
    const { commandOnMachine } = await import("./riscv64/machine.js");
    if (options.dapp) options.dapp = await commandOnMachine(machine, options.dapp);
    devnet = await startDevnet(options);
  } catch (err) {
    if (abort.signal.aborted) process.exit(0);
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  if (abort.signal.aborted) await shutdown(0);

  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      chainRpcUrl: devnet.chainRpcUrl,
      rollupHttpUrl: devnet.rollupHttpUrl,
      jsonRpcUrl: devnet.jsonRpcUrl,
      graphqlUrl: devnet.graphqlUrl,
      inspectUrl: devnet.inspectUrl,
      application: devnet.application,
      inputBox: devnet.inputBox,
      authority: devnet.authority,
      epochLength: devnet.epochLength,
      blockConfidence: devnet.blockConfidence,
      // Only with more than one: the single-application line stays as it was.
      ...(devnet.applications.length > 1
        ? {
            applications: devnet.applications.map((a) => ({
              name: a.name,
              application: a.application,
              authority: a.authority,
              rollupHttpUrl: a.rollupHttpUrl,
              inspectUrl: a.inspectUrl,
              graphqlUrl: a.graphqlUrl,
            })),
          }
        : {}),
    })}\n`,
  );

  void devnet.failed.then(async (err) => {
    process.stderr.write(`${name}: ${err.message}\n`);
    await shutdown(1);
  });
}
