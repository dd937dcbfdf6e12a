// A format record's body read back (PROTOCOL §12.5): the dApp at disclosure, and the
// gateway when the owner reads its records, recompute the digest the device signed from
// the opened bytes and take the reading's time and value from the format's own fields.

import { DeviceFormat } from "./deviceFormats.js";
import { FormatError } from "./formatError.js";
import { parseIoidMessage } from "./ioidMessage.js";
import { readJwsSigningInput } from "./jwsMessage.js";

export interface FormatReading {
  digest: Uint8Array;
  /** Device time, seconds: the record's timestamp and seq (§12.1). */
  time: bigint;
  value: bigint;
}

export function readFormatBody(format: number, body: Uint8Array, valueField: string, scale: number): FormatReading {
  if (format === DeviceFormat.IoidSdk) {
    const m = parseIoidMessage(body);
    return { digest: m.digest, time: m.timestamp, value: m.value };
  }
  if (format === DeviceFormat.JwsEs256) return readJwsSigningInput(body, valueField, scale);
  throw new FormatError("bad_field", `format ${format} has no format body`);
}
