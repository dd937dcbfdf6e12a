// The dApp in a whole riscv64 system (`--machine riscv64-vm`): qemu-system-riscv64 boots
// Debian trixie's riscv64 kernel with an initramfs that holds the riscv64 runtime of
// runtime.ts (Node and its libraries), busybox for a 20-line init, the kernel's virtio-net
// modules and the dApp's files. The dApp reaches the devnet's rollup HTTP API over the VM's
// user-mode network, where the host's loopback is 10.0.2.2. Closer to the Cartesi machine
// than qemu-user (its own kernel, its own memory, no host syscalls), still not it: see
// dapp/README.md "On riscv64".
//
// Kept in the runtime's cache folder (vm-<hash>/): the kernel, busybox and the modules come from
// deb.debian.org checked as in runtime.ts; base.cpio.gz is built once from them. The host's
// qemu-system-riscv64 and OpenSBI firmware are Debian bookworm packages (qemu-system-misc,
// opensbi), installed with apt-get when missing and running as root.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpioDir, cpioFile, cpioGz, treeEntries } from "./cpio.js";
import {
  RUNTIME_ARCH,
  RUNTIME_SUITE,
  RuntimeFetchError,
  fetchDebs,
  fetchRiscv64Runtime,
  packagesIndex,
} from "./runtime.js";

export const SYSTEM_QEMU_RISCV64 = "/usr/bin/qemu-system-riscv64";
export const OPENSBI_FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin";
/** The kernel metapackage (its first dependency is the versioned image) and the static busybox for init. */
export const KERNEL_METAPACKAGE = "linux-image-riscv64";
export const BUSYBOX_PACKAGE = "busybox-static";
/** virtio-net is a module in Debian's riscv64 kernel; these are it and what it needs, in load order. */
export const NET_MODULES = ["net/core/failover", "drivers/net/net_failover", "drivers/net/virtio_net"] as const;
/** The guest: 2 harts like this host, and the RAM cartesi.toml gives the Cartesi machine. */
export const VM_CPUS = 2;
/** The most harts LCORE_VM_CPUS may ask for. */
export const MAX_VM_CPUS = 8;

/**
 * Harts of the guest: VM_CPUS, or LCORE_VM_CPUS (1..MAX_VM_CPUS). A Cartesi machine has one
 * hart, so a measurement of several machines side by side (the fleet bench) gives each one, and
 * a VM cannot borrow the host's other core (its Node's GC and compiler threads would otherwise run
 * there, which a Cartesi machine's cannot).
 */
export function vmCpus(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LCORE_VM_CPUS;
  if (raw === undefined || raw === "") return VM_CPUS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_VM_CPUS)
    throw new RangeError(`LCORE_VM_CPUS must be an integer 1..${MAX_VM_CPUS}, got ${JSON.stringify(raw)}`);
  return n;
}
export const VM_MEMORY = "1G";
/** The host's loopback as the guest sees it (qemu user-mode networking). */
export const HOST_FROM_GUEST = "10.0.2.2";

export interface Riscv64Vm {
  /** vm-<hash of what builds it>/ in the runtime's cache folder. */
  dir: string;
  kernel: string;
  /** The initramfs without the dApp: init, busybox, modules and the riscv64 root. */
  baseInitrd: string;
  qemu: string;
  firmware: string;
}

type Log = (line: string) => void;

/** Debian compresses kernel modules with xz; busybox insmod takes them plain. */
const xzDecompress = (data: Buffer): Buffer =>
  execFileSync("xz", ["-dc"], { input: data, maxBuffer: 64 * 1024 * 1024 });

/** The guest's /init: network up, then the dApp's command from /lcore/app.env; its exit status goes to the console for the launcher. */
export const GUEST_INIT = `#!/lcore/busybox sh
B=/lcore/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
$B mount -t tmpfs tmp /tmp
for m in ${NET_MODULES.map((m) => m.split("/").pop()).join(" ")}; do $B insmod /lcore/modules/$m.ko || { echo "lcore-vm: exit 70"; $B poweroff -f; }; done
$B ip link set lo up
$B ip link set eth0 up
$B ip addr add 10.0.2.15/24 dev eth0
$B ip route add default via ${HOST_FROM_GUEST}
echo "lcore-vm: up"
. /lcore/app.env
cd /app
/usr/bin/node "$@"
echo "lcore-vm: exit $?"
$B poweroff -f
`;

/** The host's qemu-system-riscv64 and OpenSBI: installed from Debian with apt-get when missing (as root), else a clear error. */
export function ensureSystemQemu(log: Log): { qemu: string; firmware: string } {
  if (!existsSync(SYSTEM_QEMU_RISCV64) || !existsSync(OPENSBI_FIRMWARE)) {
    if (process.getuid?.() !== 0) {
      throw new RuntimeFetchError(
        `${SYSTEM_QEMU_RISCV64} or ${OPENSBI_FIRMWARE} is missing: apt-get install qemu-system-misc opensbi`,
      );
    }
    log("installing Debian's qemu-system-misc and opensbi with apt-get (once per machine)");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
    execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "qemu-system-misc", "opensbi"], {
      stdio: ["ignore", "ignore", "inherit"],
      env,
    });
    if (!existsSync(SYSTEM_QEMU_RISCV64) || !existsSync(OPENSBI_FIRMWARE))
      throw new RuntimeFetchError("apt-get ran but qemu-system-riscv64 or OpenSBI is still missing");
  }
  return { qemu: SYSTEM_QEMU_RISCV64, firmware: OPENSBI_FIRMWARE };
}

/** The VM's files, built into the runtime's cache folder when they are not there yet. */
export async function fetchRiscv64Vm(opts: { base?: string; log?: Log } = {}): Promise<Riscv64Vm> {
  const log = opts.log ?? ((line) => process.stderr.write(`riscv64-vm: ${line}\n`));
  const runtime = await fetchRiscv64Runtime({ ...opts, log });
  const host = ensureSystemQemu(log);
  // Named after what builds it, so a changed init or module list is a new folder, not a stale one.
  const pins = JSON.stringify({
    init: GUEST_INIT,
    modules: NET_MODULES,
    kernel: KERNEL_METAPACKAGE,
    busybox: BUSYBOX_PACKAGE,
  });
  const dir = join(runtime.dir, `vm-${createHash("sha256").update(pins).digest("hex").slice(0, 12)}`);
  const kernel = join(dir, "vmlinux");
  const baseInitrd = join(dir, "base.cpio.gz");
  if (!existsSync(join(dir, "vm.complete"))) {
    rmSync(dir, { recursive: true, force: true });
    const work = join(dir, "work");
    const extracted = join(work, "root");
    mkdirSync(extracted, { recursive: true });
    log(`building the ${RUNTIME_ARCH} VM in ${dir}: Debian ${RUNTIME_SUITE}'s kernel and busybox`);
    const index = await packagesIndex(RUNTIME_SUITE, RUNTIME_ARCH, work, log);
    const meta = index.get(KERNEL_METAPACKAGE);
    const image = meta?.depends[0]?.[0];
    const kernelEntry = image === undefined ? undefined : index.get(image);
    const busybox = index.get(BUSYBOX_PACKAGE);
    if (!kernelEntry || !busybox)
      throw new RuntimeFetchError(`${KERNEL_METAPACKAGE} or ${BUSYBOX_PACKAGE} is not in ${RUNTIME_SUITE}'s index`);
    const manifest = await fetchDebs([kernelEntry, busybox], extracted, work, log);
    const boot = join(extracted, "boot");
    const vmlinux = readdirSync(boot).find((f) => f.startsWith("vmlinux-") || f.startsWith("vmlinuz-"));
    if (vmlinux === undefined) throw new RuntimeFetchError(`${kernelEntry.name} has no kernel image in /boot`);
    const modules = join(extracted, "usr", "lib", "modules");
    const release = readdirSync(modules)[0]!;
    const entries = [
      ...treeEntries(runtime.root),
      ...["proc", "sys", "dev", "tmp", "app", "lcore", "lcore/modules"].map(cpioDir),
      cpioFile("init", GUEST_INIT, true),
      cpioFile("lcore/busybox", readFileSync(join(extracted, "usr", "bin", "busybox")), true),
      ...NET_MODULES.map((m) =>
        cpioFile(
          `lcore/modules/${m.split("/").pop()}.ko`,
          xzDecompress(readFileSync(join(modules, release, "kernel", `${m}.ko.xz`))),
        ),
      ),
    ];
    const partial = join(work, "vm");
    mkdirSync(partial);
    renameSync(join(boot, vmlinux), join(partial, "vmlinux"));
    writeFileSync(join(partial, "base.cpio.gz"), cpioGz(entries));
    writeFileSync(join(partial, "vm.complete"), manifest);
    renameSync(partial, `${dir}.partial`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(`${dir}.partial`, dir);
    log(`VM ready: ${vmlinux}, initramfs of ${entries.length} entries`);
  }
  return { dir, kernel, baseInitrd, ...host };
}

/** The launcher (vmLauncher.ts) that runs `args` (node's arguments: the bundle and its own) in the VM. */
export function riscv64VmCommand(vm: Riscv64Vm, args: string[]): string[] {
  // The launcher runs as a plain Node script: the compiled one, also when this module is the
  // TypeScript source (the tests import src/).
  const here = fileURLToPath(import.meta.url);
  const launcher = here.endsWith(".ts")
    ? join(dirname(here), "..", "..", "dist", "riscv64", "vmLauncher.js")
    : join(dirname(here), "vmLauncher.js");
  return [process.execPath, launcher, vm.dir, "--", ...args];
}
