// The whole local stack as one unit: devnet (anvil, the Cartesi v2 contracts, the host-mode
// node running the dApp) and the gateway, with development keys. `npm start` runs it from the
// command line (scripts/start.mjs); the end-to-end tests start it the same way.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** What --machine takes: devnet/src/riscv64/machine.ts's MACHINES, named here because npm start checks it before anything is built. */
export const MACHINES = ["host", "riscv64", "riscv64-vm"];

/**
 * Development secrets, for the local stack only and printed as such. They are public (in
 * this file), so nothing they protect is confidential: never use them on a real network.
 * The submitter is anvil's well-known account 1, the settlement voucher executor account 3
 * (the devnet node uses account 9; the whole-stack test acts from account 2).
 */
export const DEV_SECRETS = {
  ownerKey: "0x6c636f72652d6465762d6f776e65722d6b65792d2d6e6f742d612d7365637265",
  ownerToken: "lcore-dev-owner-token-not-a-secret",
  submitterKey: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  executorKey: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
};

/**
 * A fleet's shards (npm start -- --shards N): shard 0 keeps the submitter and executor above,
 * shards 1 and 2 take anvil's well-known accounts 4/6 and 5/7, so every shard's submitter
 * counts its own nonces. Account 0 deploys the test token, 2 is the whole-stack test's, 8 is
 * left for people, 9 is the node's: hence at most 3 shards locally.
 */
export const DEV_FLEET_KEYS = {
  submitters: [
    DEV_SECRETS.submitterKey,
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  ],
  executors: [
    DEV_SECRETS.executorKey,
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  ],
};

/** The gateway's fleet variables for the shards the devnet deployed (deployment.json's lcore.fleet). */
function fleetEnv(deployment, shards) {
  const fleet = deployment.lcore?.fleet;
  if (fleet === undefined || fleet.shards.length !== shards)
    throw new Error(`the devnet did not deploy ${shards} shards`);
  return {
    LCORE_GW_FLEET_APPS: fleet.shards.map((s) => s.application).join(","),
    LCORE_GW_FLEET_REGISTRY: fleet.registry,
    LCORE_GW_FLEET_SUBMITTER_KEYS: DEV_FLEET_KEYS.submitters.slice(0, shards).join(","),
    LCORE_GW_FLEET_EXECUTOR_KEYS: DEV_FLEET_KEYS.executors.slice(0, shards).join(","),
  };
}

const BUILT = [
  "wasm-core/dist/index.js",
  "contracts/dist/index.js",
  "dapp/dist/main.js",
  "devnet/dist/main.js",
  "gateway/dist/main.js",
  "cli/dist/lcoreDevnet.js",
];

/** Build the workspace if any package's output is missing (a fresh clone after `npm install` has them all). */
export function ensureBuilt(log = (m) => process.stderr.write(`${m}\n`)) {
  const missing = BUILT.filter((f) => !existsSync(join(ROOT, f)));
  if (missing.length === 0) return;
  log(`building (missing: ${missing.join(", ")})`);
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error("npm run build failed");
}

/** dapp/dist-bundle/ (what --machine riscv64 and riscv64-vm run), bundled when it is missing or older than dist/. */
export function ensureBundle(log = (m) => process.stderr.write(`${m}\n`)) {
  const bundled = join(ROOT, "dapp/dist-bundle/dapp.mjs");
  if (existsSync(bundled) && statSync(bundled).mtimeMs >= statSync(join(ROOT, "dapp/dist/main.js")).mtimeMs) return;
  log("bundling the dApp (dapp/dist-bundle/)");
  const r = spawnSync(process.execPath, ["dapp/scripts/bundle.mjs"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error("bundling the dApp failed");
}

/** Spawn a process and resolve with the first stdout line that `match` accepts. */
function startProcess(name, command, args, { env, match, timeoutMs, onStderr }) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  child.stderr.on("data", (chunk) => onStderr?.(chunk));
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${timeoutMs / 1000} s`)), timeoutMs);
    lines.on("line", (line) => {
      const value = match(line);
      if (value !== undefined) {
        clearTimeout(timer);
        resolve(value);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, ready, exited, stop };
}

/** lcore-devnet's command line for a stack: its state, ports, chain, applications and the dApp it runs. */
function devnetCommand(opts, stateDir, riscv64, shards) {
  const arg = (value, fallback) => String(value ?? fallback);
  return [
    "cli/dist/lcoreDevnet.js",
    "--state-dir",
    join(stateDir, "devnet"),
    "--epoch-length",
    arg(opts.epochLength, 4),
    "--port",
    arg(opts.apiPort, 8080),
    "--rollup-port",
    arg(opts.rollupPort, 5004),
    // Attach to a chain started elsewhere (the chaos harness owns its anvil, to kill and restart it).
    ...(opts.rpcUrl
      ? ["--rpc-url", opts.rpcUrl, "--private-key", opts.privateKey]
      : ["--anvil-port", arg(opts.anvilPort, 8545)]),
    ...(shards > 1 ? ["--applications", String(shards)] : []),
    ...(opts.devnetArgs ?? []),
    ...(riscv64
      ? ["--machine", opts.machine, "--", "node", "dapp/dist-bundle/dapp.mjs"]
      : ["--", process.execPath, "dapp/dist/main.js"]),
  ];
}

/**
 * Start devnet and gateway. Ports default to fixed, memorable ones for people; pass 0 for
 * free ports (tests). Resolves with the stack description (also written to .lcore/stack.json)
 * and stop(). Aborting `opts.signal` during start-up stops whatever already started (the
 * children run in process groups of their own, so a Ctrl-C does not reach them by itself).
 * `rpcUrl` + `privateKey` attach devnet to a chain started elsewhere instead of its own anvil;
 * `devnetArgs` and `gatewayEnv` add options (the chaos harness, test/chaos/harness.mjs).
 */
export async function startStack(opts = {}) {
  const stateDir = opts.stateDir ?? join(ROOT, ".lcore");
  const arg = (value, fallback) => String(value ?? fallback);
  const logStream = opts.onLog ?? ((chunk) => process.stderr.write(chunk));
  ensureBuilt();
  mkdirSync(stateDir, { recursive: true });

  // riscv64: the self-contained bundle (no node_modules inside the riscv64 root) on Debian's
  // riscv64 Node under qemu-user, or in a whole riscv64 system (riscv64-vm); the first run also
  // fetches that runtime, hence the longer wait.
  if (opts.machine !== undefined && !MACHINES.includes(opts.machine))
    throw new Error(`--machine must be ${MACHINES.join(", ")}, got ${opts.machine}`);
  const riscv64 = opts.machine !== undefined && opts.machine !== "host";
  const shards = opts.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1 || shards > DEV_FLEET_KEYS.submitters.length)
    throw new Error(
      `--shards must be 1..${DEV_FLEET_KEYS.submitters.length} (anvil's free dev accounts), got ${shards}`,
    );
  if (riscv64) ensureBundle();
  const devnet = startProcess("lcore-devnet", process.execPath, devnetCommand(opts, stateDir, riscv64, shards), {
    match: (line) => {
      try {
        const v = JSON.parse(line);
        return v.ready ? v : undefined;
      } catch {
        return undefined;
      }
    },
    timeoutMs: riscv64 ? 900_000 : 60_000,
    onStderr: logStream,
  });

  let gateway;
  const stop = async () => {
    await gateway?.stop();
    await devnet.stop();
  };
  const aborted = new Promise((_, reject) => {
    if (opts.signal?.aborted) reject(new Error("start-up interrupted"));
    opts.signal?.addEventListener("abort", () => reject(new Error("start-up interrupted")), { once: true });
  });
  aborted.catch(() => {}); // only raced below
  try {
    const ready = await Promise.race([devnet.ready, aborted]);
    const deployment = JSON.parse(readFileSync(join(stateDir, "devnet", "deployment.json"), "utf8"));
    gateway = startProcess("lcore-gateway", process.execPath, ["gateway/dist/main.js"], {
      env: {
        LCORE_GW_PORT: arg(opts.gatewayPort, 3000),
        LCORE_GW_DATA_DIR: join(stateDir, "gateway"),
        LCORE_GW_CHAIN_ID: String(deployment.chainId),
        LCORE_GW_APP: ready.application,
        LCORE_GW_RPC_URL: ready.chainRpcUrl,
        LCORE_GW_INPUT_BOX: ready.inputBox,
        LCORE_GW_NODE_URL: ready.jsonRpcUrl,
        LCORE_GW_NODE_API: "jsonrpc",
        LCORE_GW_BATCH_MAX_DELAY_MS: "500",
        LCORE_GW_OWNER_KEY: DEV_SECRETS.ownerKey,
        LCORE_GW_OWNER_TOKEN: DEV_SECRETS.ownerToken,
        LCORE_GW_SUBMITTER_KEY: DEV_SECRETS.submitterKey,
        LCORE_GW_EXECUTOR_KEY: DEV_SECRETS.executorKey,
        LCORE_GW_TICK_MS: "5000",
        ...(shards > 1 ? fleetEnv(deployment, shards) : {}),
        ...opts.gatewayEnv,
      },
      match: (line) => /listening on (\S+)/.exec(line)?.[1],
      timeoutMs: 30_000,
      onStderr: logStream,
    });
    const gatewayUrl = await Promise.race([gateway.ready, aborted]);
    const stack = {
      ...ready,
      gatewayUrl,
      settlement: deployment.lcore?.settlement,
      testToken: deployment.lcore?.testToken,
      ...(shards > 1 ? { fleet: deployment.lcore.fleet } : {}),
    };
    writeFileSync(join(stateDir, "stack.json"), `${JSON.stringify(stack, null, 2)}\n`);
    const failed = Promise.race([
      devnet.exited.then((c) => new Error(`lcore-devnet exited (${c})`)),
      gateway.exited.then((c) => new Error(`lcore-gateway exited (${c})`)),
    ]);
    return { stack, stop, failed };
  } catch (error) {
    await stop();
    throw error;
  }
}
