// A riscv64 Node runtime built from Debian packages, run on this host through qemu-user:
// trixie's `nodejs` (20.x) and its dependency closure extracted into ROOT, started as
// `qemu-riscv64-static -L ROOT ROOT/usr/bin/node ...`. Every file comes from deb.debian.org and
// is checked against the archive's own chain of trust: InRelease (signature checked by gpgv with
// the Debian archive keyring) → Packages (SHA256 in InRelease) → each .deb (SHA256 in Packages).
//
// The cache folder's name is a hash of the pinned inputs below, so a second run finds it and
// downloads nothing; `root.complete` / `qemu.complete` are written only after everything in
// them was verified and extracted, so an interrupted run is redone rather than trusted.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const DEBIAN_MIRROR = "https://deb.debian.org/debian";
/** The suite and architecture of the guest runtime: trixie is the first stable with official riscv64. */
export const RUNTIME_SUITE = "trixie";
export const RUNTIME_ARCH = "riscv64";
export const RUNTIME_PACKAGES = ["nodejs"] as const;
/** qemu-user comes from the host's own release (bookworm) when it is not installed. */
export const QEMU_SUITE = "bookworm";
export const QEMU_ARCH = "amd64";
export const QEMU_PACKAGE = "qemu-user-static";
export const SYSTEM_QEMU = "/usr/bin/qemu-riscv64-static";
export const DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
/** Bounds: no index or package we need is near these; anything larger is refused, not buffered. */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;
export const MAX_DEB_BYTES = 128 * 1024 * 1024;
export const MAX_CLOSURE_PACKAGES = 200;

export interface Riscv64Runtime {
  /** The cache folder (root/, qemu/ and the .complete markers). */
  dir: string;
  /** The extracted riscv64 root: give it to qemu as -L. */
  root: string;
  /** The qemu-riscv64-static binary. */
  qemu: string;
  /** riscv64 node inside root. */
  node: string;
  /** Whether anything was downloaded this time. */
  downloaded: boolean;
}

export class RuntimeFetchError extends Error {
  override name = "RuntimeFetchError";
}

/** Where the runtime lives: $LCORE_CACHE_DIR, else $XDG_CACHE_HOME/lcore, else ~/.cache/lcore. */
export function cacheBase(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LCORE_CACHE_DIR) return env.LCORE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "lcore");
}

export function runtimeDir(base = cacheBase()): string {
  const pinned = JSON.stringify({
    layout: 2,
    mirror: DEBIAN_MIRROR,
    suite: RUNTIME_SUITE,
    arch: RUNTIME_ARCH,
    packages: RUNTIME_PACKAGES,
    qemu: [QEMU_SUITE, QEMU_ARCH, QEMU_PACKAGE],
  });
  return join(base, `riscv64-${createHash("sha256").update(pinned).digest("hex").slice(0, 12)}`);
}

/** The command that runs `args` on riscv64 Node. */
export function riscv64NodeCommand(runtime: Pick<Riscv64Runtime, "qemu" | "root" | "node">, args: string[]): string[] {
  return [runtime.qemu, "-L", runtime.root, runtime.node, ...args];
}

type Log = (line: string) => void;
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export async function download(url: string, limit: number, log: Log): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(300_000) });
  } catch (err) {
    throw new RuntimeFetchError(
      `cannot reach ${url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message} (is deb.debian.org reachable from here?)`,
    );
  }
  if (!response.ok) throw new RuntimeFetchError(`${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > limit) throw new RuntimeFetchError(`${url}: ${declared} bytes is over the ${limit}-byte bound`);
  const body = await readBounded(response, url, limit, declared, log);
  log(`downloaded ${url} (${mib(body.length)})`);
  return body;
}

/** Files at least this large say how far they are while they download. */
const PROGRESS_FROM_BYTES = 4 * 1024 * 1024;

/** The body, refused past `limit`; a large one logs its progress at each quarter (plain lines: logs and terminals alike). */
async function readBounded(
  response: Response,
  url: string,
  limit: number,
  declared: number,
  log: Log,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let got = 0;
  let quarter = 0;
  const name = url.slice(url.lastIndexOf("/") + 1);
  if (declared >= PROGRESS_FROM_BYTES) log(`downloading ${name} (${mib(declared)})…`);
  const reader = response.body?.getReader();
  for (let next = await reader?.read(); next !== undefined && !next.done; next = await reader!.read()) {
    const chunk = next.value;
    got += chunk.length;
    if (got > limit) throw new RuntimeFetchError(`${url}: over the ${limit}-byte bound`);
    chunks.push(chunk);
    if (declared >= PROGRESS_FROM_BYTES && quarter < 3 && got >= (declared * (quarter + 1)) / 4) {
      quarter++;
      log(`  ${name}: ${mib(got)} of ${mib(declared)} (${quarter * 25}%)`);
    }
  }
  return Buffer.concat(chunks);
}

/** InRelease, signature checked; returns the signed text only. */
async function verifiedRelease(suite: string, work: string, log: Log): Promise<string> {
  const file = join(work, `${suite}.InRelease`);
  writeFileSync(file, await download(`${DEBIAN_MIRROR}/dists/${suite}/InRelease`, MAX_INDEX_BYTES, log));
  if (!existsSync(DEBIAN_KEYRING))
    throw new RuntimeFetchError(`${DEBIAN_KEYRING} is missing: install debian-archive-keyring`);
  try {
    return execFileSync("gpgv", ["--keyring", DEBIAN_KEYRING, "--output", "-", file], {
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: MAX_INDEX_BYTES,
    }).toString("utf8");
  } catch (err) {
    throw new RuntimeFetchError(
      `the signature of ${suite}'s InRelease does not verify against ${DEBIAN_KEYRING}: ${String((err as { stderr?: Buffer }).stderr ?? err)}`,
    );
  }
}

export interface PackageEntry {
  name: string;
  filename: string;
  sha256: string;
  size: number;
  depends: string[][];
}

/** Packages for one suite and architecture, its xz file checked against InRelease's SHA256. */
export async function packagesIndex(
  suite: string,
  arch: string,
  work: string,
  log: Log,
): Promise<Map<string, PackageEntry>> {
  const release = await verifiedRelease(suite, work, log);
  const wanted = `main/binary-${arch}/Packages.xz`;
  const at = release.indexOf("\nSHA256:");
  const line =
    at === -1
      ? undefined
      : release
          .slice(at + 8)
          .split("\n")
          .find((l) => /^ [0-9a-f]{64} +\d+ /.test(l) && l.endsWith(` ${wanted}`));
  const expected = line?.trim().split(/\s+/)[0];
  if (!expected) throw new RuntimeFetchError(`${suite}'s InRelease lists no SHA256 for ${wanted}`);
  const xz = await download(`${DEBIAN_MIRROR}/dists/${suite}/${wanted}`, MAX_INDEX_BYTES, log);
  if (sha256(xz) !== expected)
    throw new RuntimeFetchError(`${wanted} of ${suite}: SHA256 ${sha256(xz)}, InRelease says ${expected}`);
  const text = execFileSync("xz", ["-dc"], { input: xz, maxBuffer: 8 * MAX_INDEX_BYTES }).toString("utf8");
  const byName = new Map<string, PackageEntry>();
  const provides = new Map<string, PackageEntry>();
  for (const stanza of text.split("\n\n")) {
    const field = (key: string) => new RegExp(`^${key}: (.*(?:\\n .*)*)`, "m").exec(stanza)?.[1]?.replace(/\n /g, " ");
    const name = field("Package");
    const filename = field("Filename");
    const hash = field("SHA256");
    if (!name || !filename || !hash) continue;
    const depends = [field("Pre-Depends"), field("Depends")]
      .filter((d): d is string => d !== undefined)
      .flatMap((d) => d.split(","))
      .map((alts) =>
        alts
          .split("|")
          .map((a) => a.trim().split(/[\s(:]/)[0]!)
          .filter(Boolean),
      )
      .filter((a) => a.length > 0);
    const entry = { name, filename, sha256: hash, size: Number(field("Size") ?? 0), depends };
    if (!byName.has(name)) byName.set(name, entry);
    for (const p of (field("Provides") ?? "")
      .split(",")
      .map((p) => p.trim().split(/[\s(]/)[0]!)
      .filter(Boolean)) {
      if (!provides.has(p)) provides.set(p, entry);
    }
  }
  for (const [name, entry] of provides) if (!byName.has(name)) byName.set(name, entry);
  return byName;
}

/** The Depends/Pre-Depends closure, first alternative present in the index; in a stable order. */
export function resolveClosure(index: Map<string, PackageEntry>, roots: readonly string[]): PackageEntry[] {
  const out: PackageEntry[] = [];
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const entry = index.get(name);
    if (!entry) throw new RuntimeFetchError(`package ${name} is not in the index`);
    if (seen.has(entry.name)) continue;
    seen.add(entry.name);
    out.push(entry);
    if (out.length > MAX_CLOSURE_PACKAGES)
      throw new RuntimeFetchError(`the closure of ${roots.join(", ")} exceeds ${MAX_CLOSURE_PACKAGES} packages`);
    for (const alternatives of entry.depends) {
      const pick = alternatives.find((a) => index.has(a));
      if (!pick)
        throw new RuntimeFetchError(
          `${entry.name} depends on ${alternatives.join(" | ")}, none of which is in the index`,
        );
      queue.push(pick);
    }
  }
  return out;
}

export async function fetchDebs(entries: PackageEntry[], into: string, work: string, log: Log): Promise<string> {
  const total = entries.reduce((n, e) => n + e.size, 0);
  log(`${entries.length} packages, ${mib(total)} to download`);
  const lines: string[] = [];
  let done = 0;
  for (const [i, entry] of entries.entries()) {
    log(`[${i + 1}/${entries.length}] ${entry.name} (${mib(entry.size)}; ${mib(done)} of ${mib(total)} so far)`);
    done += entry.size;
    const deb = await download(`${DEBIAN_MIRROR}/${entry.filename}`, MAX_DEB_BYTES, log);
    const got = sha256(deb);
    if (got !== entry.sha256)
      throw new RuntimeFetchError(`${entry.filename}: SHA256 ${got}, Packages says ${entry.sha256}`);
    const file = join(work, `${entry.name}.deb`);
    writeFileSync(file, deb);
    execFileSync("dpkg-deb", ["-x", file, into]);
    rmSync(file);
    lines.push(`${entry.name} ${got}\n`);
  }
  return lines.join("");
}

/**
 * The runtime, fetched into the cache when it is not there yet (or was left incomplete).
 * Throws RuntimeFetchError with a clear message when the archive cannot be reached or a
 * checksum does not match.
 */
export async function fetchRiscv64Runtime(opts: { base?: string; log?: Log } = {}): Promise<Riscv64Runtime> {
  const log = opts.log ?? ((line) => process.stderr.write(`riscv64: ${line}\n`));
  const dir = runtimeDir(opts.base ?? cacheBase());
  const root = join(dir, "root");
  const work = join(dir, "work");
  let downloaded = false;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "root.complete"))) {
    downloaded = true;
    rmSync(work, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    log(`building the ${RUNTIME_ARCH} runtime in ${dir} from Debian ${RUNTIME_SUITE}`);
    const index = await packagesIndex(RUNTIME_SUITE, RUNTIME_ARCH, work, log);
    const partial = join(dir, "root.partial");
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial);
    const manifest = await fetchDebs(resolveClosure(index, RUNTIME_PACKAGES), partial, work, log);
    // trixie is merged-/usr: the /lib -> usr/lib links (the ELF interpreter is /lib/ld-linux-riscv64-lp64d.so.1)
    // come from base-files, which no dependency pulls in; a Debian system always has them.
    for (const link of ["bin", "lib", "sbin"])
      if (!existsSync(join(partial, link))) symlinkSync(`usr/${link}`, join(partial, link));
    renameSync(partial, root);
    writeFileSync(join(dir, "root.complete"), manifest);
  }
  let qemu = SYSTEM_QEMU;
  if (!existsSync(SYSTEM_QEMU)) {
    qemu = join(dir, "qemu", "qemu-riscv64-static");
    if (!existsSync(join(dir, "qemu.complete"))) {
      downloaded = true;
      mkdirSync(work, { recursive: true });
      log(`${SYSTEM_QEMU} is not installed: taking ${QEMU_PACKAGE} from Debian ${QEMU_SUITE}`);
      const index = await packagesIndex(QEMU_SUITE, QEMU_ARCH, work, log);
      const entry = index.get(QEMU_PACKAGE);
      if (!entry) throw new RuntimeFetchError(`${QEMU_PACKAGE} is not in ${QEMU_SUITE}'s index`);
      const extracted = join(work, "qemu-root");
      const manifest = await fetchDebs([entry], extracted, work, log);
      mkdirSync(join(dir, "qemu"), { recursive: true });
      renameSync(join(extracted, "usr", "bin", "qemu-riscv64-static"), qemu);
      writeFileSync(join(dir, "qemu.complete"), manifest);
    }
  }
  rmSync(work, { recursive: true, force: true });
  const node = join(root, "usr", "bin", "node");
  if (!existsSync(node)) throw new RuntimeFetchError(`${node} is missing from the extracted root`);
  if (!downloaded)
    log(`reusing ${dir} (${readFileSync(join(dir, "root.complete"), "utf8").trim().split("\n").length} packages)`);
  return { dir, root, qemu, node, downloaded };
}
