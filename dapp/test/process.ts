// Process-level fixtures: the built dApp (dist/main.js) driven over the real rollup HTTP
// API by @lcore/devnet's server, on a free port.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RollupHttpServer, spawnDapp, startRollupHttpServer } from "@lcore/devnet";

export const MAIN_JS = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const SRC = fileURLToPath(new URL("../src", import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** dist/main.js, refusing to test a build older than the sources (the root `pretest` builds). */
export function builtMain(): string {
  let built: number;
  try {
    built = statSync(MAIN_JS).mtimeMs;
  } catch {
    throw new Error("dapp/dist/main.js is missing: run `npm run build` (npm test does it in pretest)");
  }
  if (built < newest(SRC)) throw new Error("dapp/dist is older than dapp/src: run `npm run build`");
  return MAIN_JS;
}

export interface RunningDapp {
  server: RollupHttpServer;
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

export async function startDappProcess(
  command: string[] = [process.execPath, builtMain()],
  env: Record<string, string> = {},
): Promise<RunningDapp> {
  const server = await startRollupHttpServer({ port: 0 });
  const proc = spawnDapp(command, { rollupHttpUrl: server.url, env });
  return {
    server,
    exited: proc.exited,
    async stop() {
      await proc.stop();
      await server.close();
    },
  };
}
