// The owner's actions on a device from the console: revoke it, or rotate its key (PROTOCOL
// §3.4), each as one input of kind `device_op` that the submitter sends in order like any
// other, from the gateway's account, the devices' owner on chain (auth = sender). The dApp
// judges it; once its device_revoked or key_rotated notice is read, the settlement follower
// marks the device revoked or takes its new key, as for an operation sent by anyone.
//
// A rotation carries the new key's proof: its compact low-s signature of
// SHA-256("LCRK" || chainId || app || device || nonce), nonce being the device's count of owner
// operations so far. The device (or its tooling) signs it; the gateway checks the key is on the
// curve and leaves the proof to the dApp, whose reason (bad_device_proof, …) the page then shows.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { encodeDeviceRevocation, encodeKeyRotation } from "@lcore/protocol/deviceInputs";
import { InputKind } from "@lcore/protocol/kinds";
import { Type } from "typebox";
import type { GatewayContext } from "../context.js";
import type { DeviceState as RegistryDevice } from "../devices/deviceRegistry.js";
import { GatewayError } from "../http/errors.js";
import { ownerAuth } from "../http/ownerAuth.js";
import type { InputRow } from "../outbox/inputStore.js";
import { inputProgress } from "../readings/status.js";
import { DeviceOnlyParams } from "./consoleSchemas.js";

/** The newest device operations the device page looks through, fleet-wide. */
export const DEVICE_OPS_SCAN = 500;

const RotateBody = Type.Object(
  {
    publicKey: Type.String({ pattern: "^0x[0-9a-fA-F]{128}$", description: "the new key, x || y" }),
    proof: Type.String({ pattern: "^0x[0-9a-fA-F]{128}$", description: "the new key's signature, r || s" }),
  },
  { additionalProperties: false },
);

function actionable(ctx: GatewayContext, hex: string): RegistryDevice {
  const d = ctx.registry.get(hex.toLowerCase());
  if (d === undefined) throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, { details: { device: hex } });
  if (d.chainMark?.status === "revoked") throw new GatewayError("LCORE_GW_DEVICE_REVOKED");
  if (d.chainMark?.status === "registration_rejected") throw new GatewayError("LCORE_GW_DEVICE_REGISTRATION_REJECTED");
  return d;
}

/** One device operation as the device page lists it, or undefined if it is another device's. */
export function deviceOpView(input: InputRow, device: Uint8Array) {
  const p = input.payload;
  if (p.length < 22 || toHex(p.subarray(2, 22)) !== toHex(device)) return undefined;
  const progress = inputProgress(input);
  return {
    id: input.id,
    action: p[0] === InputKind.KeyRotation ? ("rotate" as const) : ("revoke" as const),
    requestedAt: new Date(input.createdMs).toISOString(),
    ...progress,
  };
}

export function deviceActionRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const owner = ownerAuth(ctx.options.ownerToken);
    const queue = async (payload: Uint8Array) => {
      const input = ctx.outbox.inputs.create("device_op", payload, ctx.nowMs());
      await ctx.outbox.write([input.statement]);
      return { id: input.id, status: "queued" as const };
    };

    app.post(
      "/v1/console/devices/:device/revoke",
      {
        onRequest: owner,
        schema: {
          tags: ["console"],
          summary: "Revoke the device on chain (owner): its readings are refused from then on",
          security: [{ ownerToken: [] }],
          params: DeviceOnlyParams,
        },
      },
      async (request, reply) => {
        const d = actionable(ctx, request.params.device);
        return reply
          .code(202)
          .send(await queue(encodeDeviceRevocation({ device: d.address, auth: { kind: "sender" } })));
      },
    );

    app.post(
      "/v1/console/devices/:device/rotate",
      {
        onRequest: owner,
        schema: {
          tags: ["console"],
          summary: "Rotate the device's key on chain (owner), with the new key's proof",
          security: [{ ownerToken: [] }],
          params: DeviceOnlyParams,
          body: RotateBody,
        },
      },
      async (request, reply) => {
        const d = actionable(ctx, request.params.device);
        const newPublicKey = fromHex(request.body.publicKey);
        if (ctx.verifier.prepare(newPublicKey) === null) throw new GatewayError("LCORE_GW_PUBLIC_KEY_INVALID");
        const payload = encodeKeyRotation({
          device: d.address,
          newPublicKey,
          proof: fromHex(request.body.proof),
          auth: { kind: "sender" },
        });
        return reply.code(202).send(await queue(payload));
      },
    );
  };
}
