// The riscv64 runtime's downloads say how far they are: a large file logs each quarter
// before it is done (the first `fetch-riscv64` moves tens of MiB), and a file over its
// bound is refused.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download } from "../src/riscv64/runtime.js";

const SIZE = 6 * 1024 * 1024;
let base = "";
const server = createServer((req, res) => {
  res.writeHead(200, { "content-length": String(SIZE) });
  const piece = Buffer.alloc(64 * 1024, req.url === "/big.deb" ? 1 : 2);
  for (let sent = 0; sent < SIZE; sent += piece.length) res.write(piece);
  res.end();
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("riscv64 runtime download", () => {
  it("logs its size, each quarter, and the end, in order", async () => {
    const lines: string[] = [];
    const body = await download(`${base}/big.deb`, SIZE, (line) => lines.push(line));
    expect(body.length).toBe(SIZE);
    expect(body.every((b) => b === 1)).toBe(true);
    expect(lines).toEqual([
      "downloading big.deb (6.0 MiB)…",
      "  big.deb: 1.5 MiB of 6.0 MiB (25%)",
      "  big.deb: 3.0 MiB of 6.0 MiB (50%)",
      "  big.deb: 4.5 MiB of 6.0 MiB (75%)",
      `downloaded ${base}/big.deb (6.0 MiB)`,
    ]);
  });

  it("refuses a body over its bound", async () => {
    await expect(download(`${base}/other.deb`, SIZE - 1, () => {})).rejects.toThrow(/over the \d+-byte bound/);
  });
});
