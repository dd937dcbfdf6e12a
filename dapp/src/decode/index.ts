// @lcore/dapp/decode: what a node serves as hex made readable — used by `lcore decode`
// (devnet), the node itself, and the gateway's console (bundled into the page). Not part
// of the machine's bundle: the dApp never decodes its own outputs.
export { outputsAbi, decodeOutput, type DecodedOutput } from "./outputs.js";
export { DecodeInputError, decodeHex, plain, type Decoded } from "./decodeHex.js";
