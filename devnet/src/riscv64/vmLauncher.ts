// The host side of `--machine riscv64-vm`: started by the devnet (or lcore replay) in place of
// `node <bundle> <args>`, it boots the VM with that bundle and ends when the dApp in it ends.
//
//   node vmLauncher.js <vm dir> -- <bundle.mjs> [args...]
//
// The guest gets the bundle's folder as /app (its files, not subfolders: the bundle is one
// .mjs beside its .wasm files), ROLLUP_HTTP_SERVER_URL with the host's loopback rewritten to
// 10.0.2.2, and the arguments. The console carries the dApp's output, passed through here from
// the guest's "lcore-vm: up" on (the firmware's and kernel's boot lines are shown only if the
// VM ends before it); its last line "lcore-vm: exit N" gives this process's exit status.
// SIGTERM or SIGINT stops the VM.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { cpioDir, cpioFile, cpioGz } from "./cpio.js";
import { HOST_FROM_GUEST, OPENSBI_FIRMWARE, SYSTEM_QEMU_RISCV64, VM_MEMORY, vmCpus } from "./vm.js";

/** The bundle's folder goes into the initramfs whole: bounded so a wrong path cannot pull in a tree. */
const MAX_APP_BYTES = 64 * 1024 * 1024;
/** Environment variables passed into the guest as they are on the host. */
const FORWARDED_ENV = ["LCORE_REQUIRE_NATIVE", "LCORE_DISABLE_NATIVE"] as const;
/** Boot lines kept to show when the VM fails before the guest's init is up. */
const MAX_BOOT_LINES = 200;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** http://127.0.0.1:5004 → http://10.0.2.2:5004: qemu's user network maps the guest's 10.0.2.2 to the host's loopback. */
export function guestUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]") u.hostname = HOST_FROM_GUEST;
  return u.toString().replace(/\/$/, "");
}

function main(): void {
  const [vmDir, dash, entry, ...args] = process.argv.slice(2);
  if (vmDir === undefined || dash !== "--" || entry === undefined) {
    process.stderr.write("usage: vmLauncher.js <vm dir> -- <bundle.mjs> [args...]\n");
    process.exit(64);
  }
  const appDir = dirname(resolve(entry));
  // Sized before anything is read (one stat per entry): a wrong folder is refused without loading it.
  const sized = readdirSync(appDir)
    .sort()
    .map((f) => ({ f, st: statSync(join(appDir, f)) }))
    .filter(({ st }) => st.isFile());
  const bytes = sized.reduce((n, { st }) => n + st.size, 0);
  if (bytes > MAX_APP_BYTES)
    throw new Error(`${appDir} holds ${bytes} bytes, over the ${MAX_APP_BYTES}-byte bound for the VM's /app`);
  const files = sized.map(({ f }) => cpioFile(`app/${f}`, readFileSync(join(appDir, f))));
  const env = [
    `export ROLLUP_HTTP_SERVER_URL=${quote(guestUrl(process.env.ROLLUP_HTTP_SERVER_URL ?? "http://127.0.0.1:5004"))}`,
    // The console is a terminal: without this Node would colour the dApp's log lines.
    "export NODE_DISABLE_COLORS=1",
    // The dApp's verifier switches (dapp/native: LCORE_REQUIRE_NATIVE, LCORE_DISABLE_NATIVE) reach the guest, so a
    // run that must use the native addon fails in the VM as it does on the host.
    ...FORWARDED_ENV.filter((k) => process.env[k] !== undefined).map((k) => `export ${k}=${quote(process.env[k]!)}`),
    `set -- ${[`/app/${basename(entry)}`, ...args].map(quote).join(" ")}`,
  ].join("\n");
  // The kernel unpacks concatenated archives in order: the dApp's lands on top of the base.
  const work = mkdtempSync(join(tmpdir(), "lcore-vm-"));
  const initrd = join(work, "initrd.cpio.gz");
  writeFileSync(
    initrd,
    Buffer.concat([
      readFileSync(join(vmDir, "base.cpio.gz")),
      cpioGz([cpioDir("app"), ...files, cpioFile("lcore/app.env", `${env}\n`)]),
    ]),
  );

  const qemu = spawn(
    SYSTEM_QEMU_RISCV64,
    [
      "-M",
      "virt",
      "-smp",
      String(vmCpus()),
      "-m",
      VM_MEMORY,
      "-bios",
      OPENSBI_FIRMWARE,
      "-kernel",
      join(vmDir, "vmlinux"),
      "-initrd",
      initrd,
      "-append",
      "console=ttyS0 quiet loglevel=1 rdinit=/init",
      "-netdev",
      "user,id=net0",
      "-device",
      "virtio-net-pci,netdev=net0,romfile=",
      "-nographic",
      "-no-reboot",
      "-monitor",
      "none",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let status = 1;
  let up = false;
  const boot: string[] = [];
  createInterface({ input: qemu.stdout }).on("line", (raw) => {
    const line = raw.replace(/\r$/, "");
    const exit = /^lcore-vm: exit (\d+)$/.exec(line);
    if (exit) status = Number(exit[1]);
    else if (line === "lcore-vm: up") up = true;
    else if (!up) {
      boot.push(line);
      if (boot.length > MAX_BOOT_LINES) boot.shift();
    } else if (!/^\[\s*\d+\.\d+\] reboot: Power down$/.test(line)) process.stdout.write(`${line}\n`);
  });
  const stop = () => qemu.kill("SIGTERM");
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  qemu.on("exit", (code, signal) => {
    rmSync(work, { recursive: true, force: true });
    if (!up && signal === null)
      process.stderr.write(`riscv64-vm: the VM ended before its init was up; its console:\n${boot.join("\n")}\n`);
    process.exit(signal !== null ? 143 : code !== 0 ? (code ?? 1) : status);
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
