// `npm start` as a person meets it (scripts/start.mjs run as a process, not imported): a busy
// port is named with its likely cause and keeps the old state; --fresh forgets the state and
// the banner says where it lives; --simulate shows progress in a log and a summary at Ctrl-C.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without type declarations
import { MACHINES, ROOT } from "../scripts/stack.mjs";
import { MACHINES as DEVNET_MACHINES } from "@lcore/devnet";

const FREE_PORTS = ["--anvil-port", "0", "--rollup-port", "0", "--api-port", "0"];
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A state dir holding a file left by an "earlier run". */
function oldState(): { stateDir: string; marker: string } {
  const stateDir = mkdtempSync(join(tmpdir(), "lcore-start-"));
  dirs.push(stateDir);
  mkdirSync(join(stateDir, "gateway"));
  const marker = join(stateDir, "gateway", "earlier-run");
  writeFileSync(marker, "x");
  return { stateDir, marker };
}

function start(args: string[]) {
  const child = spawn(process.execPath, ["scripts/start.mjs", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (c) => {
    out.stdout += c;
  });
  child.stderr.on("data", (c) => {
    out.stderr += c;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, out, exited };
}

async function until(what: string, check: () => boolean, timeoutMs: number, out: { stdout: string; stderr: string }) {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for ${what}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether anything answers HTTP at `url` (any status). */
const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );

describe("npm start", () => {
  it("stops the whole stack when npm itself gets SIGTERM (its shell does not pass the signal on)", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lcore-start-"));
    dirs.push(stateDir);
    const npm = spawn("npm", ["start", "--", "--state-dir", stateDir, ...FREE_PORTS, "--gateway-port", "0"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(npm);
    const out = { stdout: "", stderr: "" };
    npm.stdout.on("data", (c) => {
      out.stdout += c;
    });
    npm.stderr.on("data", (c) => {
      out.stderr += c;
    });
    await until("the banner", () => out.stdout.includes("lcore is running"), 90_000, out);
    const stack = JSON.parse(readFileSync(join(stateDir, "stack.json"), "utf8"));
    const urls = [stack.chainRpcUrl, stack.jsonRpcUrl, stack.gatewayUrl] as string[];
    for (const url of urls) expect(await answers(url), url).toBe(true);
    npm.kill("SIGTERM");
    const deadline = performance.now() + 40_000;
    for (const url of urls) {
      while ((await answers(url)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      expect(await answers(url), `${url} still answers after npm got SIGTERM`).toBe(false);
    }
  });

  it("takes the machines lcore-devnet takes and refuses another before starting anything", async () => {
    expect(MACHINES).toEqual([...DEVNET_MACHINES]);
    const { out, exited } = start(["--machine", "riscv32"]);
    expect(await exited).toBe(2);
    expect(out.stderr).toContain('--machine must be host, riscv64, riscv64-vm, got "riscv32"');
  });

  it("names a busy port and the likely cause, and keeps the old state even with --fresh", async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen({ host: "127.0.0.1", port: 0 }, r));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const { stateDir, marker } = oldState();
      const { out, exited } = start([
        "--fresh",
        "--state-dir",
        stateDir,
        ...FREE_PORTS,
        "--gateway-port",
        String(port),
      ]);
      expect(await exited).toBe(1);
      expect(out.stderr).toContain(`port ${port} (the gateway) already in use`);
      expect(out.stderr).toContain("Is lcore already running");
      expect(existsSync(marker)).toBe(true);
    } finally {
      squatter.close();
    }
  });

  it("--fresh starts from empty state, the banner says where state lives, --simulate reports progress and a summary", async () => {
    const { stateDir, marker } = oldState();
    const { child, out, exited } = start([
      "--fresh",
      "--simulate",
      "--state-dir",
      stateDir,
      ...FREE_PORTS,
      "--gateway-port",
      "0",
    ]);
    await until("the banner", () => out.stdout.includes("lcore is running"), 90_000, out);
    expect(existsSync(marker)).toBe(false);
    expect(out.stdout).toContain(`removed ${stateDir}/`);
    expect(out.stdout).toContain(`State lives in ${stateDir}/`);
    expect(out.stdout).toContain("npm start -- --fresh");
    expect(out.stdout).toMatch(/^ {2}dApp +Node v[\d.]+ on this \w+ host \(the Cartesi machine is riscv64/m);
    // The inspect line's command works as printed; a browser's GET is told how to ask.
    const inspectUrl = /^ {2}inspect +\S+ +\(POST: curl -s -X POST (\S+) -d counters\)$/m.exec(out.stdout)?.[1];
    expect(inspectUrl).toBeDefined();
    const counters = await fetch(inspectUrl!, { method: "POST", body: "counters" });
    expect(((await counters.json()) as { status: string }).status).toBe("Accepted");
    const browser = await fetch(inspectUrl!);
    expect(browser.status).toBe(405);
    expect(await browser.text()).toContain(`curl -s -X POST ${inspectUrl}`);
    // Not a terminal: plain progress lines, no carriage returns.
    const progress = /lcore-sim: streaming +\d+ s {2}sent (\d+) {2}accepted (\d+) {2}refused (\d+) {2}[\d.]+\/s/g;
    await until(
      "a progress line with readings sent",
      () => [...out.stderr.matchAll(progress)].some((m) => Number(m[1]) > 0),
      60_000,
      out,
    );
    expect(out.stderr).not.toContain("\r");
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(out.stdout).toMatch(/^sent +[1-9]\d*$/m);
    expect(out.stdout).toMatch(/^accepted +[1-9]\d* \(202 from the gateway\)$/m);
    expect(out.stdout.indexOf("sent ")).toBeLessThan(out.stdout.indexOf("lcore: stopped"));
  });
});
