// cartesi.toml as the Cartesi CLI itself reads it. The CLI's parser reads a fixed list of keys
// and ignores every other one, so a key spelt the way another CLI version spells it is no error:
// the machine silently gets the CLI's default instead (128Mi of RAM, for a dApp whose peak RSS
// is near 500 MiB). Only the CLI's own parser can say what it reads, so this test runs it.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureCartesiCli } from "../scripts/ensure-cartesi-cli.mjs";

/** What this test reads of the CLI's parsed configuration (its `Config` type). */
interface CliConfig {
  drives: Record<string, { builder: string; context?: string; dockerfile?: string; format: string; image?: string }>;
  machine: { ramLength: string; noRollup?: boolean };
  sdk: string;
}
interface CliConfigModule {
  parse(toml: string): CliConfig;
  DEFAULT_SDK: string;
}

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const text = readFileSync(join(ROOT, "cartesi.toml"), "utf8");

// The CLI is installed apart (scripts/ensure-cartesi-cli.mjs says why). Its package exports only its
// command runner ("exports": "./dist/index.js"), not its config parser, so the parser is imported by
// file: dist/config.js, beside the entry. It is the module `cartesi build` itself reads cartesi.toml with.
const cliHome = ensureCartesiCli();
const requireThere = createRequire(join(cliHome, "package.json"));
const entry = requireThere.resolve("@cartesi/cli");
const { parse: parseToml } = (await import(pathToFileURL(requireThere.resolve("smol-toml")).href)) as {
  parse(text: string): Record<string, unknown>;
};
const cliVersion = (JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as { version: string })
  .version;
const cli = (await import(pathToFileURL(join(dirname(entry), "config.js")).href)) as CliConfigModule;
const config = cli.parse(text);

/** cartesi-machine's --ram-length syntax: a count of bytes with an optional binary suffix. */
function bytesOf(length: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(length);
  if (!m) throw new Error(`not a RAM length: ${length}`);
  return Number(m[1]) * { "": 1, Ki: 1 << 10, Mi: 1 << 20, Gi: 1 << 30 }[m[2] ?? ""]!;
}

describe(`cartesi.toml through the config parser of @cartesi/cli ${cliVersion}`, () => {
  it("gives the machine 1 GiB of RAM, twice the dApp's highest measured peak", () => {
    expect(config.machine.ramLength).toBe("1Gi");
    // The 10-million-record soak peaked at 484 MiB RSS (dapp/README.md, Soak); the rest is the
    // guest kernel's, the page cache's and further WebAssembly growth steps'.
    expect(bytesOf(config.machine.ramLength)).toBeGreaterThanOrEqual(2 * 484 * (1 << 20));
  });

  it("gives CLI 2.0.0-alpha.16 and later, which read snake_case keys, the same RAM", () => {
    // Those versions are not on the registry these machines reach, so their key is checked as
    // TOML: cartesi/cli's parseMachine reads `ram_length` there (changelog 2.0.0-alpha.16:
    // "change all toml keys to use snake_case").
    const machine = parseToml(text).machine as Record<string, unknown>;
    expect(machine.ram_length).toBe(config.machine.ramLength);
  });

  it("builds the root drive, and only it, from Dockerfile.cartesi as an ext2 image", () => {
    expect(Object.keys(config.drives)).toEqual(["root"]);
    const root = config.drives.root!;
    expect(root).toMatchObject({ builder: "docker", dockerfile: "Dockerfile.cartesi", context: ".", format: "ext2" });
    expect(root.image).toBeUndefined(); // built from the Dockerfile, not pulled
    // `cartesi build` runs `docker buildx build --platform linux/riscv64 --file <dockerfile> <context>`
    // from the repository root; the machine's entrypoint is the image's ENTRYPOINT and CMD.
    const dockerfile = readFileSync(join(ROOT, root.dockerfile!), "utf8");
    expect(existsSync(join(ROOT, root.context!))).toBe(true);
    expect(dockerfile).toMatch(/^FROM --platform=linux\/riscv64 /m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["rollup-init"\]$/m);
  });

  it("builds with the SDK image the file names, not the CLI's default", () => {
    expect(config.sdk).toBe("cartesi/sdk:0.12.0-alpha.41");
    expect(config.sdk).not.toBe(cli.DEFAULT_SDK);
  });

  it("keeps the machine in rollup mode (it yields to the node for each input)", () => {
    expect(config.machine.noRollup).toBe(false);
  });
});
