// A fresh directory per test, removed afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempDir(cleanups: (() => void)[]): string {
  const dir = mkdtempSync(join(tmpdir(), "lcore-gw-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
