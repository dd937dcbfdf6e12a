// A difference found by a replay, located precisely.

export interface Divergence {
  inputIndex: number;
  /** The epoch, when the difference is in a claim a node lists as accepted. */
  epochIndex?: number;
  /** Global output index (the leaf in the outputs tree), when the difference is in one output. */
  outputIndex?: number;
  what: string;
  expected: string;
  got: string;
}

export function formatDivergence(d: Divergence): string {
  const input = `input ${d.inputIndex}${d.outputIndex === undefined ? "" : `, output ${d.outputIndex}`}`;
  const at = d.epochIndex === undefined ? input : `epoch ${d.epochIndex} (${input})`;
  return `divergence at ${at}: ${d.what}\n  expected ${d.expected}\n  got      ${d.got}`;
}

/** Compare two advance results of one input; `firstOutput` is the global index of its first output. */
export function compareResults(
  inputIndex: number,
  firstOutput: number,
  expected: { status: string; outputs: string[] },
  got: { status: string; outputs: string[] },
): Divergence[] {
  const found: Divergence[] = [];
  if (expected.status !== got.status)
    found.push({ inputIndex, what: "status", expected: expected.status, got: got.status });
  const n = Math.max(expected.outputs.length, got.outputs.length);
  for (let k = 0; k < n; k++) {
    const e = expected.outputs[k];
    const g = got.outputs[k];
    if (e !== g)
      found.push({
        inputIndex,
        outputIndex: firstOutput + k,
        what: e === undefined ? "extra output" : g === undefined ? "missing output" : "output bytes",
        expected: e ?? "(none)",
        got: g ?? "(none)",
      });
  }
  return found;
}
