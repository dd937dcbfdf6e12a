// Turns every error into the one error body with a stable LCORE_GW_ code. Fastify's
// own errors (body parsing, validation, routing) are mapped onto the gateway's codes,
// so a client never sees an FST_ERR_ code, nor its path echoed back; so are the errors
// Fastify's router raises before any route (frameworkErrors) and the ones Node's HTTP
// parser raises before Fastify sees a request (clientErrorHandler). Unexpected errors answer 500 with a generic
// message; their details go to the log only (which has no secrets: see app.ts).

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { ERRORS, GatewayError, type ErrorBody, type GatewayErrorCode } from "./errors.js";

const FASTIFY_CODES: Partial<Record<string, GatewayErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "LCORE_GW_BODY_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "LCORE_GW_UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_EMPTY_JSON_BODY: "LCORE_GW_EMPTY_BODY",
  FST_ERR_CTP_INVALID_JSON_BODY: "LCORE_GW_MALFORMED_JSON",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "LCORE_GW_INVALID_REQUEST",
  FST_ERR_MAX_PARAM_LENGTH: "LCORE_GW_PARAM_TOO_LONG",
  FST_ERR_BAD_URL: "LCORE_GW_BAD_URL",
};

/** Node's HTTP parser errors (the `clientError` event) by code. */
const CLIENT_ERROR_CODES: Partial<Record<string, GatewayErrorCode>> = {
  HPE_HEADER_OVERFLOW: "LCORE_GW_HEADERS_TOO_LARGE",
  ERR_HTTP_REQUEST_TIMEOUT: "LCORE_GW_REQUEST_TIMEOUT",
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

/** Fastify's `frameworkErrors`: router errors raised before a route runs, in the gateway's shape. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const code = FASTIFY_CODES[error.code] ?? "LCORE_GW_INVALID_REQUEST";
  void reply.code(ERRORS[code].status).send(errorBody(code, ERRORS[code].meaning));
}

/** Fastify's `clientErrorHandler`: a request Node could not parse gets the gateway's error body, then the connection closes. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const code = CLIENT_ERROR_CODES[error.code ?? ""] ?? "LCORE_GW_BAD_HTTP";
  const { status } = ERRORS[code];
  const body = JSON.stringify(errorBody(code, ERRORS[code].meaning));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
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
