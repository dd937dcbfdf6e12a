// A gzip-compressed cpio archive in the "newc" format, the one the Linux kernel unpacks as its
// initramfs (Documentation/driver-api/early-userspace/buffer-format.rst). Written here rather
// than with cpio(1), which a fresh machine may not have. Entries are sorted and every time is
// 0, so the same tree gives the same bytes.

import { lstatSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

export interface CpioEntry {
  /** Path inside the archive, without a leading slash. */
  name: string;
  /** File type and permission bits. */
  mode: number;
  data: Buffer;
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");
const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);

function header(ino: number, e: CpioEntry): Buffer {
  const name = Buffer.from(`${e.name}\0`, "utf8");
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  const fields = [ino, e.mode, 0, 0, 1, 0, e.data.length, 0, 0, 0, 0, name.length, 0];
  const head = Buffer.from(`070701${fields.map(hex8).join("")}`, "ascii");
  return Buffer.concat([head, name, pad4(head.length + name.length)]);
}

/** The newc archive of `entries` and its trailer, gzip level 1 (the kernel only needs to read it once). */
export function cpioGz(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const [i, e] of entries.entries()) parts.push(header(i + 1, e), e.data, pad4(e.data.length));
  parts.push(header(0, { name: "TRAILER!!!", mode: 0, data: Buffer.alloc(0) }));
  return gzipSync(Buffer.concat(parts), { level: 1 });
}

/** Every directory, file and symlink under `dir`, as entries under `prefix` (sorted, parents first). */
export function treeEntries(dir: string, prefix = ""): CpioEntry[] {
  const out: CpioEntry[] = [];
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const path = join(abs, name);
      const inside = rel === "" ? name : `${rel}/${name}`;
      const st = lstatSync(path);
      const perm = st.mode & 0o7777;
      if (st.isSymbolicLink())
        out.push({ name: inside, mode: S_IFLNK | 0o777, data: Buffer.from(readlinkSync(path), "utf8") });
      else if (st.isDirectory()) {
        out.push({ name: inside, mode: S_IFDIR | perm, data: Buffer.alloc(0) });
        walk(path, inside);
      } else if (st.isFile()) out.push({ name: inside, mode: S_IFREG | perm, data: readFileSync(path) });
    }
  };
  walk(dir, prefix);
  return out;
}

export const cpioDir = (name: string): CpioEntry => ({ name, mode: S_IFDIR | 0o755, data: Buffer.alloc(0) });
export const cpioFile = (name: string, data: Buffer | string, executable = false): CpioEntry => ({
  name,
  mode: S_IFREG | (executable ? 0o755 : 0o644),
  data: Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8"),
});
