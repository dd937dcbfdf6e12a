// Left only for migrate/run.ts, which moves to the cli/ package and then takes toHex from
// @lcore/protocol/bytes like the rest of the gateway: delete this file with that move.
export { toHex } from "@lcore/protocol/bytes";
