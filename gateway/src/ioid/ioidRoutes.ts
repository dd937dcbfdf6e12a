// ioID-SDK devices (PROTOCOL §12.2): the firmware posts to a URL fixed at build time, path
// /v1/task, so the operator points that URL at the gateway and nothing else changes.
//
//   POST /v1/task           the body pal.c builds, kept byte for byte (no JSON re-encoding):
//                           the device is found by payload.publicKey, the signature checked
//                           over h2 (a high-s one is taken as its low-s twin), the reading's seq
//                           is payload.timestamp (strictly increasing per device)
//   GET  /v1/task/{id}      the reading's lifecycle, as GET /v1/readings/{device}/{seq}
//   GET  /v1/ioid/proof-request   (owner) {"hex":"0x…"}: the body devRegister.c's signer signs
//   POST /v1/ioid/devices   (owner) {publicKey, proof, metadata?}: registers the device (0x06)
//                           with the signer's answer, high-s accepted

import { Type, type FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { DeviceFormat } from "@lcore/protocol/deviceFormats";
import { FormatError } from "@lcore/protocol/formatError";
import { parseIoidMessage, splitIoidRequest } from "@lcore/protocol/ioidMessage";
import { deviceAddress } from "@lcore/protocol/deviceMessage";
import { fromHex, parseHex, toHex } from "@lcore/protocol/bytes";
import type { GatewayContext } from "../context.js";
import { deviceView } from "../devices/deviceRoutes.js";
import { SECP256K1_N } from "../devices/signature.js";
import { GatewayError } from "../http/errors.js";
import { ownerAuth } from "../http/ownerAuth.js";
import { readingProgress } from "../readings/status.js";
import { ingestFormatReading } from "../formats/formatIngest.js";
import { lowS } from "../formats/p256.js";

/** An ioID-SDK request is about 330 bytes; the signed bytes are bounded by MAX_FORMAT_BODY (1050). */
const TASK_BODY_LIMIT = 2048;
const TASK_ID = /^(0x[0-9a-f]{40})-(\d{1,20})$/;

export function ioidRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(taskRoutes(ctx));
    await app.register(ownerRoutes(ctx));
  };
}

function taskRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The exact bytes the device hashed: this context takes its JSON body as a Buffer.
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit: TASK_BODY_LIMIT }, (_r, body, done) =>
      done(null, body),
    );

    app.post(
      "/v1/task",
      { bodyLimit: TASK_BODY_LIMIT, schema: { tags: ["ioid"], summary: "An ioID-SDK reading" } },
      async (request, reply) => {
        const raw = new Uint8Array(request.body as Buffer);
        let m: ReturnType<typeof parseIoidMessage>;
        let signature: Uint8Array;
        try {
          const split = splitIoidRequest(raw);
          m = parseIoidMessage(split.unsigned);
          signature = split.signature;
        } catch (error) {
          if (error instanceof FormatError)
            throw new GatewayError("LCORE_GW_FORMAT_INVALID", error.detail, { details: { reason: error.code } });
          throw error;
        }
        const state = ctx.registry.get(toHex(deviceAddress(m.publicKey)));
        if (state === undefined)
          throw new GatewayError("LCORE_GW_DEVICE_UNKNOWN", undefined, {
            details: { device: toHex(deviceAddress(m.publicKey)) },
          });
        if (state.format !== DeviceFormat.IoidSdk) throw new GatewayError("LCORE_GW_DEVICE_FORMAT");
        // PROTOCOL §12.1: (r, s) and (r, n − s) verify alike; the record carries the low-s one.
        const low = lowS(signature, SECP256K1_N);
        if (low === null || ctx.verifier.verify(state.key, m.digest, low) !== "ok")
          throw new GatewayError("LCORE_GW_SIGNATURE_INVALID");
        const receipt = await ingestFormatReading(ctx, {
          state,
          time: m.timestamp,
          digest: m.digest,
          signature: low,
          body: m.unsigned,
        });
        return reply.code(200).send({ taskID: `${receipt.device}-${receipt.seq}`, ...receipt });
      },
    );

    app.get(
      "/v1/task/:id",
      {
        schema: {
          tags: ["ioid"],
          summary: "An ioID-SDK reading's lifecycle",
          params: Type.Object({ id: Type.String() }),
        },
      },
      async (request) => {
        const id = TASK_ID.exec(request.params.id.toLowerCase());
        const seq = id === null ? null : BigInt(id[2]!);
        const row = id === null || seq! >= 1n << 64n ? undefined : ctx.outbox.readings.get(fromHex(id[1]!), seq!);
        if (row === undefined) throw new GatewayError("LCORE_GW_READING_NOT_FOUND");
        return {
          taskID: `${toHex(row.device)}-${row.seq}`,
          device: toHex(row.device),
          seq: row.seq.toString(),
          digest: toHex(row.digest),
          receivedAt: new Date(row.receivedMs).toISOString(),
          ...readingProgress(row, ctx.outbox.settlements),
        };
      },
    );
  };
}

const RegisterIoid = Type.Object(
  {
    publicKey: Type.String({
      pattern: "^0x(04)?[0-9a-fA-F]{128}$",
      description: "as payload.publicKey: 0x04 || x || y",
    }),
    proof: Type.String({
      pattern: "^0x[0-9a-fA-F]{128}$",
      description: "the device signer's r || s over GET /v1/ioid/proof-request's hex; high-s accepted",
    }),
    metadata: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

function ownerRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook("onRequest", ownerAuth(ctx.options.ownerToken));

    app.get(
      "/v1/ioid/proof-request",
      { schema: { tags: ["ioid"], summary: "What an ioID-SDK device signs to be registered (owner)" } },
      async () => ({
        hex: toHex(ctx.registry.proofDigest()),
      }),
    );

    app.post(
      "/v1/ioid/devices",
      {
        schema: {
          tags: ["ioid"],
          summary: "Register an ioID-SDK device with its own proof (owner)",
          body: RegisterIoid,
        },
      },
      async (request, reply) => {
        const key = parseHex(request.body.publicKey)!;
        const proof = lowS(fromHex(request.body.proof), SECP256K1_N);
        if (proof === null) throw new GatewayError("LCORE_GW_PROOF_INVALID", "r or s is out of range");
        const d = await ctx.registry.registerFormat(
          {
            format: DeviceFormat.IoidSdk,
            publicKey: key.length === 65 ? key.slice(1) : key,
            proof,
            scale: 0,
            valueField: "",
            metadata: request.body.metadata ?? "",
            sdkId: null,
          },
          ctx.nowMs(),
        );
        return reply.code(201).send(deviceView(ctx, d));
      },
    );
  };
}
