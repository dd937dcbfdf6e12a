// Run anvil from the pinned npm package @foundry-rs/anvil: its per-platform companion package
// (@foundry-rs/anvil-<os>-<arch>) ships the binary, so nothing is downloaded at run time.
//
// Mining: by default anvil only mines when a transaction arrives, so an epoch whose last block
// is in the future would never close on a quiet chain. The devnet runs anvil with interval
// mining *and* per-transaction mining (`--block-time B --mixed-mining`): transactions still
// land at once, and blocks keep coming every B seconds so epochs close on time.
//
// Finality: anvil answers the `safe` and `finalized` block tags as `latest` minus one and two
// of its "epochs" of `--slots-in-an-epoch` blocks (32 by default: a minute of 1-s blocks). The
// devnet's node reads at `finalized` by default, as the real node does, so anvil runs with 1
// slot per epoch: safe = latest − 1, finalized = latest − 2, two blocks (two seconds at the
// default block time, sooner when transactions mine blocks of their own).
//
// Clock: anvil restarts its clock at wall time and forgets the previous run's
// evm_increaseTime, so a chain restarted from its saved state after its clock was moved
// forward would go back in time (DESIGN §8). When the saved last block is ahead of wall
// time, anvil is started with `--timestamp` one second after it: the clock never goes back.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ChainError, InvalidArgumentError } from "./errors.js";

export interface AnvilOptions {
  host?: string;
  /** 0 (default) lets anvil pick a free port. */
  port?: number;
  /** Seconds between interval-mined blocks; fractions allowed. Default 1. */
  blockTime?: number;
  /** Blocks per anvil "epoch": `safe` is this many blocks behind `latest`, `finalized` twice as many. Default 1. */
  slotsInAnEpoch?: number;
  /** If set, anvil loads its chain from this file at start and dumps it there on exit and every few seconds. */
  statePath?: string;
  /** EVM rules, e.g. "cancun" (default: anvil's own, the newest it knows). Benchmarks compare rule sets. */
  hardfork?: string;
  /** Called with every line anvil prints (its RPC log); default: dropped. */
  onLine?: (line: string) => void;
}

export interface Anvil {
  url: string;
  /** SIGINT (anvil dumps its state), SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/** Time allowed for anvil to print its listening address. */
export const ANVIL_START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 10_000;
/** Seconds between state dumps when `statePath` is set. */
export const ANVIL_STATE_INTERVAL_S = 5;
/** Blocks per anvil "epoch" (safe = latest − 1, finalized = latest − 2). */
export const DEFAULT_SLOTS_IN_AN_EPOCH = 1;

const PLATFORM_PACKAGES: Record<string, string> = {
  "linux-x64": "@foundry-rs/anvil-linux-amd64",
  "linux-arm64": "@foundry-rs/anvil-linux-arm64",
  "darwin-x64": "@foundry-rs/anvil-darwin-amd64",
  "darwin-arm64": "@foundry-rs/anvil-darwin-arm64",
  "win32-x64": "@foundry-rs/anvil-win32-amd64",
};

/** Path of the anvil binary installed by @foundry-rs/anvil for this platform. */
export function anvilBinaryPath(): string {
  const pkg = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (!pkg) throw new ChainError(`@foundry-rs/anvil has no binary for ${process.platform}-${process.arch}`);
  const require = createRequire(import.meta.url);
  try {
    return require.resolve(`${pkg}/bin/anvil${process.platform === "win32" ? ".exe" : ""}`);
  } catch (cause) {
    throw new ChainError(`${pkg} is not installed (an optional dependency of @foundry-rs/anvil); run npm install`, {
      cause,
    });
  }
}

/**
 * Where a chain restarted from the state saved at `statePath` must start its clock: one second
 * after its last saved block, when that is after `nowSeconds`; undefined when wall time is ahead
 * (anvil's own clock is right), or nothing readable is saved (a new chain; anvil reports a bad file).
 */
export function restartTimestamp(statePath: string, nowSeconds: number): bigint | undefined {
  let saved: { block?: { timestamp?: unknown }; blocks?: { header?: { timestamp?: unknown } }[] };
  try {
    saved = JSON.parse(readFileSync(statePath, "utf8"));
  } catch {
    return undefined;
  }
  let last: bigint | undefined;
  const see = (t: unknown) => {
    const v =
      typeof t === "string" && /^0x[0-9a-fA-F]+$/.test(t)
        ? BigInt(t)
        : Number.isSafeInteger(t)
          ? BigInt(t as number)
          : undefined;
    if (v !== undefined && (last === undefined || v > last)) last = v;
  };
  see(saved?.block?.timestamp);
  for (const b of Array.isArray(saved?.blocks) ? saved.blocks : []) see(b?.header?.timestamp);
  if (last === undefined || last + 1n <= BigInt(Math.floor(nowSeconds))) return undefined;
  return last + 1n;
}

export async function startAnvil(opts: AnvilOptions = {}): Promise<Anvil> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 0;
  const blockTime = opts.blockTime ?? 1;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`anvil port must be 0..65535, got ${port}`);
  const slots = opts.slotsInAnEpoch ?? DEFAULT_SLOTS_IN_AN_EPOCH;
  if (!(blockTime > 0)) throw new InvalidArgumentError(`blockTime must be positive, got ${blockTime}`);
  if (!Number.isSafeInteger(slots) || slots < 1)
    throw new InvalidArgumentError(`slotsInAnEpoch must be a positive integer, got ${slots}`);

  const args = ["--host", host, "--port", String(port), "--block-time", String(blockTime), "--mixed-mining"];
  args.push("--slots-in-an-epoch", String(slots));
  if (opts.statePath) {
    args.push("--state", opts.statePath, "--state-interval", String(ANVIL_STATE_INTERVAL_S));
    const resume = restartTimestamp(opts.statePath, Date.now() / 1000);
    if (resume !== undefined) args.push("--timestamp", String(resume));
  }
  if (opts.hardfork) args.push("--hardfork", opts.hardfork);
  const child = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "pipe", "pipe"] });

  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      running = false;
      resolve(code);
    });
    child.once("error", () => {
      if (child.pid === undefined) {
        running = false;
        resolve(null);
      }
    });
  });

  // Keep the last lines for error messages; keep reading so anvil never blocks on a full pipe.
  const recent: string[] = [];
  let resolveUrl: (url: string) => void;
  const listening = new Promise<string>((resolve) => (resolveUrl = resolve));
  const onChunk = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      opts.onLine?.(line);
      const match = /Listening on (\S+)/.exec(line);
      if (match) resolveUrl(`http://${match[1]}`);
    }
  };
  child.stdout.on("data", onChunk);
  child.stderr.on("data", onChunk);

  const stop = async () => {
    if (running) {
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    listening,
    exited.then((code) => {
      throw new ChainError(`anvil exited (code ${code}) before listening:\n${recent.join("\n")}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ChainError(`anvil did not start within ${ANVIL_START_TIMEOUT_MS} ms:\n${recent.join("\n")}`)),
        ANVIL_START_TIMEOUT_MS,
      );
    }),
  ])
    .catch(async (err: unknown) => {
      await stop();
      throw err;
    })
    .finally(() => clearTimeout(timer));

  return { url, stop, exited };
}
