// The rollup HTTP server against a scripted dApp (fetch from the test) and against the echo
// fixture run as a real child process.

import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  decodeOutput,
  encodeNotice,
  startRollupHttpServer,
  spawnDapp,
  type AdvanceMetadata,
  type RollupHttpServer,
  RollupServerClosedError,
  MAX_REQUEST_BODY_BYTES,
} from "@lcore/devnet";

const ECHO = fileURLToPath(new URL("./fixtures/echo-dapp.mjs", import.meta.url));
const APP = "0x1111111111111111111111111111111111111111";
const SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

const meta = (input_index: number): AdvanceMetadata => ({
  chain_id: 31337,
  app_contract: APP,
  msg_sender: SENDER,
  block_number: 10 + input_index,
  block_timestamp: 1_700_000_000 + input_index,
  prev_randao: `0x${"ab".repeat(32)}`,
  input_index,
});

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function server(finishTimeoutMs = 10_000): Promise<RollupHttpServer> {
  const s = await startRollupHttpServer({ port: 0, finishTimeoutMs });
  cleanup.push(() => s.close());
  return s;
}

function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = { "content-type": "application/json" },
) {
  return fetch(base + path, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

describe("startRollupHttpServer with a scripted dApp", () => {
  it("starts over for a new dApp on reset: what was queued or in progress rejects, output indices count from 0", async () => {
    const s = await server(500);
    const first = s.advance(meta(0), "0x01");
    await post(s.url, "/finish", { status: "accept" });
    expect(await (await post(s.url, "/notice", { payload: "0x01" })).json()).toEqual({ index: 0 });
    const held = post(s.url, "/finish", { status: "accept" }); // finishes input 0, then waits for the next request
    expect((await first).outputs).toEqual([encodeNotice("0x01")]);
    const inspect = s.inspect("0x02");
    expect((await (await held).json()).request_type).toBe("inspect_state"); // the old dApp is on it…
    const queued = s.inspect("0x03");
    const reason = new Error("the dApp was restarted");
    s.reset(reason); // …when it is replaced
    await expect(inspect).rejects.toBe(reason);
    await expect(queued).rejects.toBe(reason);
    // The new dApp's first input: its first output is index 0 again.
    const again = s.advance(meta(0), "0x01");
    await post(s.url, "/finish", { status: "accept" });
    expect(await (await post(s.url, "/notice", { payload: "0x01" })).json()).toEqual({ index: 0 });
    post(s.url, "/finish", { status: "accept" }).catch(() => {}); // held until the server closes
    expect((await again).outputs).toEqual([encodeNotice("0x01")]);
  });

  it("hands requests to /finish with the v2 shapes and records outputs with global indices", async () => {
    const s = await server();
    const first = s.advance(meta(0), "0xdead");
    let res = await post(s.url, "/finish", { status: "accept" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual({
      request_type: "advance_state",
      data: {
        metadata: {
          chain_id: 31337,
          app_contract: APP,
          msg_sender: SENDER.toLowerCase(),
          block_number: 10,
          block_timestamp: 1_700_000_000,
          prev_randao: `0x${"ab".repeat(32)}`,
          input_index: 0,
        },
        payload: "0xdead",
      },
    });
    res = await post(s.url, "/notice", { payload: "0x01" });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ index: 0 });
    res = await post(s.url, "/voucher", { destination: SENDER, value: `0x${"00".repeat(31)}07`, payload: "0x" });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ index: 1 });
    res = await post(s.url, "/delegate-call-voucher", { destination: SENDER, payload: "0xabcd" });
    expect(await res.json()).toEqual({ index: 2 });
    res = await post(s.url, "/report", { payload: "0x02" });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");

    const second = s.advance(meta(1), "0xff");
    res = await post(s.url, "/finish", { status: "accept" });
    expect(res.status).toBe(200);
    const r0 = await first;
    expect(r0.status).toBe("ACCEPTED");
    expect(r0.reports).toEqual(["0x02"]);
    expect(r0.outputs.map(decodeOutput)).toEqual([
      { type: "Notice", payload: "0x01" },
      { type: "Voucher", destination: SENDER, value: 7n, payload: "0x" },
      { type: "DelegateCallVoucher", destination: SENDER, payload: "0xabcd" },
    ]);

    // A rejected advance: its outputs are discarded and do not advance the global index.
    expect(await (await post(s.url, "/notice", { payload: "0x03" })).json()).toEqual({ index: 3 });
    await post(s.url, "/report", { payload: "0x04" });
    const third = s.advance(meta(2), "0x");
    expect((await post(s.url, "/finish", { status: "reject" })).status).toBe(200);
    expect(await second).toEqual({ status: "REJECTED", outputs: [], reports: ["0x04"] });
    expect(await (await post(s.url, "/notice", { payload: "0x05" })).json()).toEqual({ index: 3 });

    // An exception ends the request at once; the next /finish status is ignored.
    await post(s.url, "/exception", { payload: "0x0bad" });
    expect(await third).toEqual({ status: "EXCEPTION", outputs: [], reports: [], exception: "0x0bad" });
  });

  it("serves inspect requests, refuses outputs during them, and keeps FIFO order with advances", async () => {
    const s = await server(200);
    const a = s.advance(meta(0), "0x01");
    const i = s.inspect("0x99");
    const b = s.advance(meta(1), "0x02");
    const seen: unknown[] = [];
    for (let k = 0; k < 3; k++) {
      const req = (await (await post(s.url, "/finish", { status: "accept" })).json()) as {
        request_type: string;
        data: { payload: string };
      };
      seen.push([req.request_type, req.data.payload]);
      if (req.request_type === "inspect_state") {
        const notice = await post(s.url, "/notice", { payload: "0x" });
        expect(notice.status).toBe(400);
        expect(await notice.text()).toMatch(/inspect/);
        await post(s.url, "/report", { payload: "0x77" });
      }
    }
    await post(s.url, "/finish", { status: "reject" }).catch(() => undefined);
    expect(seen).toEqual([
      ["advance_state", "0x01"],
      ["inspect_state", "0x99"],
      ["advance_state", "0x02"],
    ]);
    expect((await a).status).toBe("ACCEPTED");
    expect(await i).toEqual({ status: "ACCEPTED", reports: ["0x77"] });
    expect((await b).status).toBe("REJECTED");
  });

  it("answers 202 from /finish when nothing is pending, after the hold time", async () => {
    const s = await server(200);
    const started = Date.now();
    const res = await post(s.url, "/finish", { status: "accept" });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("no rollup request available");
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("answers 400 with a text reason to malformed requests, 413 over the size bound", async () => {
    const s = await server(100);
    const bad = async (path: string, body: unknown, pattern: RegExp, headers?: Record<string, string>) => {
      const res = await post(s.url, path, body, headers);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.headers.get("content-type")).toContain("text/plain");
      expect(await res.text()).toMatch(pattern);
    };
    await bad("/finish", "{not json", /Json deserialize error/);
    await bad("/finish", [], /expected a JSON object/);
    await bad("/finish", {}, /missing field `status`/);
    await bad("/finish", { status: "maybe" }, /status must be 'accept' or 'reject'/);
    await bad("/finish", { status: "accept" }, /Content type error/, { "content-type": "text/plain" });
    await bad("/notice", { payload: "0x00" }, /no rollup request is being processed/);

    void s.advance(meta(0), "0x").catch(() => undefined);
    expect((await post(s.url, "/finish", { status: "accept" })).status).toBe(200);
    await bad("/notice", {}, /missing field `payload`/);
    await bad("/notice", { payload: "dead" }, /hex binary format/);
    await bad("/notice", { payload: "0xabc" }, /hex binary format/);
    await bad("/notice", { payload: 12 }, /hex binary format/);
    await bad("/report", { payload: "0xzz" }, /hex binary format/);
    await bad("/voucher", { destination: "0x1234", payload: "0x" }, /address not valid/);
    await bad("/voucher", { payload: "0x" }, /missing field `destination`/);
    await bad("/voucher", { destination: SENDER, value: "7", payload: "0x" }, /value must be/);
    await bad("/voucher", { destination: SENDER, value: `0x${"f".repeat(65)}`, payload: "0x" }, /value must be/);
    await bad("/delegate-call-voucher", { destination: "nope", payload: "0x" }, /address not valid/);
    await bad("/exception", {}, /missing field `payload`/);
    await bad("/gio", { domain: 16, id: "0x" }, /not supported in host mode/);

    const huge = await post(s.url, "/report", { payload: `0x${"00".repeat(MAX_REQUEST_BODY_BYTES / 2)}` });
    expect(huge.status).toBe(413);
    expect(await huge.text()).toMatch(/larger than/);
    const overPayload = await post(s.url, "/report", { payload: `0x${"00".repeat(2 * 1024 * 1024 + 1)}` });
    expect(overPayload.status).toBe(400);
    expect(await overPayload.text()).toMatch(/over the 2097152-byte limit/);

    expect((await post(s.url, "/nothing", {})).status).toBe(404);
    expect((await fetch(`${s.url}/finish`)).status).toBe(405);
    // The request is still usable after all those refusals.
    expect(await (await post(s.url, "/notice", { payload: "0x00" })).json()).toEqual({ index: 0 });
  });

  it("rejects bad arguments and, on close, every queued request", async () => {
    const s = await startRollupHttpServer({ port: 0 });
    await expect(s.advance(meta(0), "0x1" as `0x${string}`)).rejects.toThrow(/whole bytes/);
    await expect(s.advance({ ...meta(0), msg_sender: "0x12" }, "0x")).rejects.toThrow(/msg_sender/);
    await expect(s.inspect("nope" as `0x${string}`)).rejects.toThrow(/whole bytes/);
    const pending = [s.advance(meta(0), "0x"), s.inspect("0x")];
    await s.close();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(RollupServerClosedError);
    await expect(s.advance(meta(1), "0x")).rejects.toBeInstanceOf(RollupServerClosedError);
  });
});

describe("spawnDapp with the echo fixture", () => {
  it("drives a real dApp process in order and stops it", async () => {
    const s = await server(500);
    const dapp = spawnDapp([process.execPath, ECHO], { rollupHttpUrl: s.url });
    cleanup.push(() => dapp.stop());
    const payloads = ["0x01", "0xff00", "0x0203", "0xfe", "0x04"] as const;
    const results = await Promise.all(payloads.map((p, i) => s.advance(meta(i), p)));
    expect(results.map((r) => r.status)).toEqual(["ACCEPTED", "REJECTED", "ACCEPTED", "EXCEPTION", "ACCEPTED"]);
    expect(results[0]!.outputs[0]).toBe(encodeNotice("0x01"));
    expect(results[0]!.reports).toEqual(["0x01"]);
    expect(results[1]!.outputs).toEqual([]);
    expect(results[1]!.reports).toEqual([`0x${Buffer.from("rejected").toString("hex")}`]);
    expect(results[3]!.exception).toBe(`0x${Buffer.from("boom").toString("hex")}`);
    const voucher = decodeOutput(results[2]!.outputs[1]!);
    expect(voucher).toEqual({ type: "Voucher", destination: SENDER, value: 1000n, payload: "0x0203" });
    const inspect = await s.inspect("0x42");
    expect(inspect).toEqual({ status: "ACCEPTED", reports: ["0x42", `0x${"0".repeat(63)}3`] });
    expect((await s.inspect("0xff")).status).toBe("REJECTED");

    await dapp.stop();
    expect(await dapp.exited).toBeNull(); // ended by SIGTERM
  });

  it("kills the whole process group and reports spawn failures", async () => {
    const marker = `devnet-test-${process.pid}-${Date.now()}`;
    // The shell starts a grandchild and waits on it; killing only the shell would orphan it.
    const dapp = spawnDapp(["sh", "-c", `'${process.execPath}' -e 'setInterval(() => {}, 1e6)' ${marker} & wait`], {
      rollupHttpUrl: "http://127.0.0.1:1",
    });
    await new Promise((r) => setTimeout(r, 200));
    const { execFileSync } = await import("node:child_process");
    const running = () =>
      execFileSync("ps", ["-eo", "args"])
        .toString()
        .split("\n")
        .filter((l) => l.includes(marker) && !l.includes("ps -eo")).length;
    expect(running()).toBeGreaterThan(0);
    await dapp.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(running()).toBe(0);

    const missing = spawnDapp(["/nonexistent/dapp-binary"], { rollupHttpUrl: "http://127.0.0.1:1" });
    expect(await missing.exited).toBeNull();
    await missing.stop();
    expect(() => spawnDapp([], { rollupHttpUrl: "x" })).toThrow(/non-empty/);
  });

  it("passes ROLLUP_HTTP_SERVER_URL and the extra environment", async () => {
    const dapp = spawnDapp(
      [
        process.execPath,
        "-e",
        "process.exit(process.env.ROLLUP_HTTP_SERVER_URL === 'http://x:1' && process.env.EXTRA === 'y' ? 7 : 1)",
      ],
      {
        rollupHttpUrl: "http://x:1",
        env: { EXTRA: "y" },
      },
    );
    expect(await dapp.exited).toBe(7);
  });
});
