// Why a device format's message is not what its format says (PROTOCOL §12). The gateway
// answers it as 400 LCORE_GW_FORMAT_INVALID with this code; the dApp, at disclosure, as
// bad_reading_body with it in the detail. Codes are stable; details name fields, never values.

export const FORMAT_ERRORS = [
  "not_json", //          not UTF-8 JSON text, or not an object
  "not_signed_form", //   an ioID-SDK request that does not end ,"signature":"0x<128 hex>"}
  "bad_field", //         a required field is missing or has the wrong type or range
  "bad_jws", //           not header.payload.signature in base64url, or alg is not ES256
  "no_time", //           a JWS payload with neither iat nor timestamp
  "no_value", //          the value field is missing, not a number, or not exact at the scale
  "too_large", //         the signed bytes are over MAX_FORMAT_BODY
] as const;
export type FormatErrorCode = (typeof FORMAT_ERRORS)[number];

export class FormatError extends Error {
  override name = "FormatError";
  constructor(
    readonly code: FormatErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
