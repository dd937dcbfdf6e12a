// The gateway as a child process (dist/main.js, built by `pretest`), for tests that kill it.

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const GATEWAY_MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  stop(): Promise<void>;
}

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [GATEWAY_MAIN], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (c) => {
    err = (err + String(c)).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c) => {
      out += String(c);
      const m = /lcore-gateway listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`gateway exited (${code ?? signal}) before listening: ${err}`)),
    );
  });
  return {
    url,
    child,
    exited,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}
