// The cartesi-devnet CLI as a user runs it (the built dist/main.js): one JSON ready line on stdout
// within 30 s, a clean stop on SIGTERM/SIGINT with nothing left running, and a second run on the
// same state directory that resumes (anvil's chain included).

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { inputBoxAbi } from "@lcore/devnet";
import { chainClients, ECHO_DAPP, rpcResult, tempDir, waitFor } from "./helpers.js";

const CLI = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const READY_KEYS = [
  "ready",
  "chainRpcUrl",
  "rollupHttpUrl",
  "jsonRpcUrl",
  "graphqlUrl",
  "inspectUrl",
  "application",
  "inputBox",
  "authority",
  "epochLength",
  "blockConfidence",
];

const dir = tempDir("cli");
const marker = `cli-marker-${process.pid}-${Date.now()}`;
const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
  dir.remove();
});

interface Run {
  child: ChildProcess;
  ready: Record<string, unknown>;
  readyMs: number;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

async function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  running.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const line = await waitFor(
    "the ready line",
    async () => {
      if (child.exitCode !== null) throw new Error(`cartesi-devnet exited ${child.exitCode}:\n${stderr}`);
      return stdout.includes("\n") ? stdout.split("\n")[0] : undefined;
    },
    30_000,
    50,
  );
  return {
    child,
    ready: JSON.parse(line!),
    readyMs: Date.now() - started,
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
  };
}

/** Processes whose command line mentions this test's state directory or dApp marker. */
function leftovers(): string[] {
  return execFileSync("ps", ["-eo", "pid,args"])
    .toString()
    .split("\n")
    .filter((line) => (line.includes(dir.path) || line.includes(marker)) && !line.includes(" ps -eo"));
}

const args = [
  "--state-dir",
  dir.path,
  "--port",
  "0",
  "--rollup-port",
  "0",
  "--anvil-port",
  "0",
  "--epoch-length",
  "4",
  "--block-time",
  "0.5",
  "--",
  process.execPath,
  ECHO_DAPP,
  marker,
];

describe("cartesi-devnet", () => {
  it("prints one ready line within 30 s, stops cleanly on SIGTERM, and resumes on the next run", async () => {
    const first = await runCli(args);
    expect(first.readyMs).toBeLessThan(30_000);
    expect(Object.keys(first.ready)).toEqual(READY_KEYS);
    expect(first.ready).toMatchObject({
      ready: true,
      inputBox: "0x1b51e2992A2755Ba4D6F7094032DF91991a0Cfac",
      epochLength: 4,
      blockConfidence: "finalized",
    });
    expect(first.ready.inspectUrl).toBe(
      `${String(first.ready.jsonRpcUrl).replace(/\/rpc$/, "")}/inspect/${first.ready.application}`,
    );
    // A generic node: the rollup's deployment and nothing of any dApp's own.
    const deployment = JSON.parse(readFileSync(join(dir.path, "deployment.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(deployment).sort()).toEqual([
      "application",
      "authority",
      "chainId",
      "contracts",
      "dataAvailability",
      "deploymentBlock",
      "epochLength",
      "owner",
      "salt",
      "templateHash",
    ]);

    const { pub, wallet } = chainClients(first.ready.chainRpcUrl as string);
    for (const payload of ["0x01", "0x02"] as const) {
      const hash = await wallet(3).writeContract({
        address: first.ready.inputBox as `0x${string}`,
        abi: inputBoxAbi,
        functionName: "addInput",
        args: [first.ready.application as `0x${string}`, payload],
      });
      await pub.waitForTransactionReceipt({ hash });
    }
    const count = async (url: string) =>
      parseInt((await rpcResult(url, "cartesi_getProcessedInputCount", ["app"])).data, 16);
    await waitFor("two inputs processed", async () => (await count(first.ready.jsonRpcUrl as string)) === 2, 30_000);
    expect(leftovers().length).toBeGreaterThanOrEqual(2); // anvil (its --state path) and the dApp (its marker)

    first.child.kill("SIGTERM");
    expect(await first.exit).toBe(0);
    expect(first.stdout().trim().split("\n")).toHaveLength(1);
    expect(leftovers()).toEqual([]);
    await expect(fetch(first.ready.chainRpcUrl as string)).rejects.toThrow();

    // The real node's variable names the confidence too (a flag would win over it).
    const second = await runCli(args, { CARTESI_BLOCKCHAIN_DEFAULT_BLOCK: "safe" });
    expect(second.ready.application).toBe(first.ready.application);
    expect(second.ready.blockConfidence).toBe("safe");
    expect(second.stderr()).toMatch(/replaying 2 processed inputs/);
    expect(second.stderr()).not.toMatch(/deploying/);
    expect(await count(second.ready.jsonRpcUrl as string)).toBe(2);
    const inputs = await rpcResult(second.ready.jsonRpcUrl as string, "cartesi_listInputs", { application: "app" });
    expect(inputs.pagination.total_count).toBe(2);
    second.child.kill("SIGINT");
    expect(await second.exit).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it("runs several applications with --applications, listing them in the ready line", async () => {
    const fleetDir = tempDir("devnet-cli-apps");
    try {
      const withDir = args.map((a) => (a === dir.path ? fleetDir.path : a));
      const run = await runCli(["--applications", "2", ...withDir]);
      const apps = run.ready.applications as { name: string; application: string; inspectUrl: string }[];
      expect(apps.map((a) => a.name)).toEqual(["app", "app-1"]);
      expect(apps[0]!.application).toBe(run.ready.application);
      expect(apps[1]!.inspectUrl).toMatch(new RegExp(`/inspect/${apps[1]!.application}$`));
      const listed = await rpcResult(run.ready.jsonRpcUrl as string, "cartesi_listApplications", {});
      expect(listed.pagination.total_count).toBe(2);
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    } finally {
      fleetDir.remove();
    }
  });

  it("refuses bad arguments with a usage message", async () => {
    const env = (value: string) => ({ ...process.env, CARTESI_BLOCKCHAIN_DEFAULT_BLOCK: value });
    for (const [bad, variables, reason] of [
      [["--epoch-length", "x"], process.env, /--epoch-length must be/],
      [["--rpc-url", "http://127.0.0.1:1"], process.env, /go together/],
      [["--no-such-flag"], process.env, /Unknown option/],
      [["--block", "pending"], process.env, /--block pending is not supported/],
      [["--block", "earliest"], env("latest"), /--block must be latest, safe, finalized/],
      [[], env("pending"), /CARTESI_BLOCKCHAIN_DEFAULT_BLOCK pending is not supported/],
      [["--slots-in-an-epoch", "0"], process.env, /at least 1/],
      [["--applications", "0"], process.env, /--applications must be at least 1/],
    ] as const) {
      const child = spawn(process.execPath, [CLI, ...bad], { stdio: ["ignore", "pipe", "pipe"], env: variables });
      let stderr = "";
      child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(code, bad.join(" ")).toBe(2);
      expect(stderr).toMatch(/usage: cartesi-devnet/);
      expect(stderr).toMatch(reason);
    }
  });
});
