// A fresh directory per test, removed afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Cleanup = () => void | Promise<void>;

export function tempDir(cleanups: Cleanup[]): string {
  const dir = mkdtempSync(join(tmpdir(), "lcore-gw-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs cleanups last-in first-out; use in afterEach. */
export async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()?.();
}
