// A gateway built for a test: temp outbox, random keys, no chain. Closed after the test.
import { randomBytes } from "node:crypto";
import { generatePrivateKey } from "viem/accounts";
import { buildApp, type GatewayApp } from "../../src/app.js";
import type { GatewayOptions } from "../../src/options.js";
import { Secret } from "../../src/util/secrets.js";
import { type GatewayInfo, SimDevice } from "../../src/sim/device.js";
import { type Cleanup, tempDir } from "./tempDir.js";

export const OWNER_TOKEN = "test-owner-token-0123456789";
export const auth = { authorization: `Bearer ${OWNER_TOKEN}` };

export interface TestGateway {
  app: GatewayApp;
  options: GatewayOptions;
  dir: string;
  info: GatewayInfo;
  /** A new device, registered through POST /v1/devices. */
  device(): Promise<SimDevice>;
}

export function testOptions(dir: string, overrides: Partial<GatewayOptions> = {}): GatewayOptions {
  return {
    outboxPath: `${dir}/outbox.db`,
    ownerKey: new Secret(new Uint8Array(randomBytes(32))),
    ownerToken: new Secret(OWNER_TOKEN),
    submitterKey: new Secret(generatePrivateKey()),
    app: `0x${randomBytes(20).toString("hex")}`,
    chainId: 31337n,
    // The MVP routes are off by default; most of these tests exercise them (system.test.ts checks the default).
    mvpCompat: true,
    ...overrides,
  };
}

export async function testGateway(cleanups: Cleanup[], overrides: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const dir = tempDir(cleanups);
  const options = testOptions(dir, overrides);
  const app = await buildApp(options);
  cleanups.push(() => app.close());
  const info = (await app.inject({ method: "GET", url: "/v1/info" })).json<GatewayInfo>();
  return {
    app,
    options,
    dir,
    info,
    async device() {
      const d = SimDevice.random();
      const res = await app.inject({
        method: "POST",
        url: "/v1/devices",
        headers: auth,
        payload: d.registration(info),
      });
      if (res.statusCode !== 201) throw new Error(`registration failed: ${res.statusCode} ${res.body}`);
      return d;
    },
  };
}
