// The Cartesi InputBox, where every input of the gateway goes (InputBox.addInput).

/** The InputBox of Cartesi Rollups v2.2.0: the default of LCORE_GW_INPUT_BOX. */
export const CANONICAL_INPUT_BOX = "0x1b51e2992A2755Ba4D6F7094032DF91991a0Cfac";
