// Turns every error into the one error body with a stable LCORE_GW_ code. Fastify's
// own errors (body parsing, validation, routing) are mapped onto the gateway's codes,
// so a client never sees an FST_ERR_ code. Unexpected errors answer 500 with a generic
// message; their details go to the log only (which has no secrets: see app.ts).

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { STATUS_CODES } from "node:http";
import { ERRORS, GatewayError, type ErrorBody, type GatewayErrorCode } from "./errors.js";

const FASTIFY_CODES: Partial<Record<string, GatewayErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "LCORE_GW_BODY_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "LCORE_GW_UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_EMPTY_JSON_BODY: "LCORE_GW_EMPTY_BODY",
  FST_ERR_CTP_INVALID_JSON_BODY: "LCORE_GW_MALFORMED_JSON",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "LCORE_GW_INVALID_REQUEST",
};

export function errorBody(code: GatewayErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  const statusCode = ERRORS[code].status;
  return { ...details, statusCode, code, error: STATUS_CODES[statusCode] ?? "Error", message };
}

function toGatewayError(error: FastifyError, request: FastifyRequest): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error.validation !== undefined) {
    if (error.validationContext === "body" && (request.body === undefined || request.body === null)) {
      return new GatewayError("LCORE_GW_EMPTY_BODY");
    }
    // ajv's messages name the field and the rule, never the value.
    return new GatewayError(
      "LCORE_GW_INVALID_REQUEST",
      `${error.validationContext ?? "request"}${error.message.replace(/^[a-z]+/, "")}`,
    );
  }
  const mapped = error.code === undefined ? undefined : FASTIFY_CODES[error.code];
  if (mapped !== undefined) return new GatewayError(mapped);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new GatewayError("LCORE_GW_INVALID_REQUEST");
  return new GatewayError("LCORE_GW_INTERNAL", undefined, { cause: error });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const e = toGatewayError(error, request);
    if (e.code === "LCORE_GW_INTERNAL") {
      request.log.error({ err: error }, "unexpected error");
    } else if (e.statusCode >= 500) {
      request.log.warn({ code: e.code, err: e.cause ?? e }, "request refused");
    }
    if (e.retryAfter !== undefined) void reply.header("retry-after", String(e.retryAfter));
    return reply.code(e.statusCode).send(errorBody(e.code, e.message, e.details));
  });
  app.setNotFoundHandler((request, reply) => {
    return reply
      .code(404)
      .send(errorBody("LCORE_GW_ROUTE_NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0] ?? ""}`));
  });
}
