// Run a dApp as a child process that speaks the rollup HTTP API at ROLLUP_HTTP_SERVER_URL.
//
// The child gets its own process group so that stop() also ends whatever it started
// (`npm run …`, `sh -c …`): killing only the direct child would leave grandchildren running.
// Its stdout and stderr both go to our stderr, because the devnet CLI keeps stdout for its
// one JSON ready line.

import { spawn } from "node:child_process";
import { InvalidArgumentError } from "./errors.js";

export interface SpawnDappOptions {
  rollupHttpUrl: string;
  env?: Record<string, string>;
  cwd?: string;
}

export interface DappProcess {
  /** SIGTERM to the dApp's process group, SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
  /** The exit code, or null if it ended by a signal (or could not be started). */
  exited: Promise<number | null>;
  /** The direct child's process id (undefined if it could not be started); benchmarks read its /proc entry. */
  pid: number | undefined;
}

/** How long stop() waits after SIGTERM before SIGKILL. */
export const DAPP_STOP_GRACE_MS = 5_000;

export function spawnDapp(command: string[], opts: SpawnDappOptions): DappProcess {
  if (!Array.isArray(command) || command.length === 0 || command.some((part) => typeof part !== "string")) {
    throw new InvalidArgumentError("command must be a non-empty array of strings");
  }
  if (typeof opts?.rollupHttpUrl !== "string" || opts.rollupHttpUrl === "") {
    throw new InvalidArgumentError("rollupHttpUrl is required");
  }
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env, ROLLUP_HTTP_SERVER_URL: opts.rollupHttpUrl },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout.pipe(process.stderr, { end: false });
  child.stderr.pipe(process.stderr, { end: false });

  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      running = false;
      resolve(code);
    });
    child.once("error", (err) => {
      // Spawn failures (ENOENT, EACCES) never produce "exit".
      if (child.pid === undefined) {
        running = false;
        process.stderr.write(`devnet: cannot start dApp ${JSON.stringify(file)}: ${err.message}\n`);
        resolve(null);
      }
    });
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (!running || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };

  return {
    exited,
    pid: child.pid,
    async stop() {
      if (!running) {
        await exited;
        return;
      }
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), DAPP_STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
      // The leader may exit on SIGTERM while members of its group linger.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Nothing left.
        }
      }
    },
  };
}
