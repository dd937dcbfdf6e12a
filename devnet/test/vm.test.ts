// The pieces of --machine riscv64-vm that need no VM: the initramfs archive the kernel
// unpacks (cpio "newc") and the rollup URL as the guest sees it. The VM itself is exercised by
// riscv64.test.ts, which replays a chain in it.
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { cpioDir, cpioFile, cpioGz } from "../src/riscv64/cpio.js";
import { VM_CPUS, vmCpus } from "../src/riscv64/vm.js";
import { guestUrl } from "../src/riscv64/vmLauncher.js";

/** An independent reader of newc archives: [name, mode, data] per entry, the trailer excluded. */
function readNewc(bytes: Buffer): [string, number, string][] {
  const out: [string, number, string][] = [];
  let at = 0;
  const align = (n: number) => (n + 3) & ~3;
  for (;;) {
    expect(bytes.subarray(at, at + 6).toString("ascii")).toBe("070701");
    const field = (i: number) => parseInt(bytes.subarray(at + 6 + 8 * i, at + 14 + 8 * i).toString("ascii"), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = bytes.subarray(at + 110, at + 110 + nameSize - 1).toString("utf8");
    const dataAt = align(at + 110 + nameSize);
    if (name === "TRAILER!!!") return out;
    out.push([name, mode, bytes.subarray(dataAt, dataAt + size).toString("utf8")]);
    at = align(dataAt + size);
  }
}

describe("riscv64 VM pieces", () => {
  it("writes a newc archive the format's reader reads back: names, modes, data, 4-byte alignment, trailer", () => {
    const archive = gunzipSync(
      cpioGz([cpioDir("app"), cpioFile("app/a.mjs", "console.log(1)\n"), cpioFile("init", "#!/bin/sh\n", true)]),
    );
    expect(readNewc(archive)).toEqual([
      ["app", 0o040755, ""],
      ["app/a.mjs", 0o100644, "console.log(1)\n"],
      ["init", 0o100755, "#!/bin/sh\n"],
    ]);
    expect(archive.length % 4).toBe(0);
    // The same entries give the same bytes (every time is 0).
    expect(cpioGz([cpioFile("x", "y")])).toEqual(cpioGz([cpioFile("x", "y")]));
  });

  it("points the guest at the host's loopback through qemu's user network, other hosts unchanged", () => {
    expect(guestUrl("http://127.0.0.1:5004")).toBe("http://10.0.2.2:5004");
    expect(guestUrl("http://localhost:41234/")).toBe("http://10.0.2.2:41234");
    expect(guestUrl("http://192.168.1.5:5004")).toBe("http://192.168.1.5:5004");
  });

  it("gives the guest VM_CPUS harts, or LCORE_VM_CPUS's 1..8, and refuses anything else by name", () => {
    expect(vmCpus({})).toBe(VM_CPUS);
    expect(vmCpus({ LCORE_VM_CPUS: "" })).toBe(VM_CPUS);
    expect(vmCpus({ LCORE_VM_CPUS: "1" })).toBe(1);
    expect(vmCpus({ LCORE_VM_CPUS: "8" })).toBe(8);
    for (const bad of ["0", "9", "1.5", "two", "-1"])
      expect(() => vmCpus({ LCORE_VM_CPUS: bad })).toThrow(/LCORE_VM_CPUS must be an integer 1\.\.8/);
  });
});
