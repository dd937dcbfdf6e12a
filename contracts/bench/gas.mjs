// Gas per record: lcore record batches through the real InputBox (batches of 1, 10, 100 and
// the largest that fits, measured by the gateway's gas bench) beside the lcore MVP, which
// called MVPIoTProcessor.submitResult once per reading with its encrypted bytes as uint8[].
// Both carry the same sealed reading, on the same EVM rules, in the same run.
//
//   npm run bench -w contracts          (builds first; anvil from @foundry-rs/anvil)
import { randomBytes } from "node:crypto";
import os from "node:os";
import { mVPIoTProcessorAbi, mVPIoTProcessorBytecode } from "@lcore/contracts";
import { ANVIL_MNEMONIC, startAnvil } from "@lcore/devnet";
import { createPublicClient, createWalletClient, defineChain, http, keccak256 } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { benchGas } from "../../gateway/bench/gas.mjs";

/** The reading's free-form payload: a short sensor string, as in the gateway bench. */
const PAYLOAD_BYTES = 8;
/** nonce(16) value(8) length(2) payload, then two 16-byte AEAD tags (PROTOCOL §1-§2). */
const SEALED_BYTES = 26 + PAYLOAD_BYTES + 32;
const MVP_SAMPLES = 20;

async function mvpGasPerRecord(hardfork) {
  const anvil = await startAnvil({ blockTime: 1, ...(hardfork === "default" ? {} : { hardfork }) });
  try {
    const transport = http(anvil.url);
    const chain = defineChain({
      id: 31337,
      name: "anvil",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [anvil.url] } },
    });
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
    const wallet = createWalletClient({
      chain,
      transport,
      account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 0 }),
      pollingInterval: 50,
    });
    const deployed = await publicClient.waitForTransactionReceipt({
      hash: await wallet.deployContract({ abi: mVPIoTProcessorAbi, bytecode: mVPIoTProcessorBytecode }),
    });
    const gas = [];
    for (let i = 0; i < MVP_SAMPLES; i++) {
      // The MVP sent each reading in its own transaction: a fresh task id, the encrypted bytes, a proof hash.
      const encrypted = [...randomBytes(SEALED_BYTES)];
      const hash = await wallet.writeContract({
        address: deployed.contractAddress,
        abi: mVPIoTProcessorAbi,
        functionName: "submitResult",
        args: [keccak256(randomBytes(32)), encrypted, keccak256(randomBytes(32))],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      gas.push(Number(receipt.gasUsed));
    }
    gas.sort((a, b) => a - b);
    return gas[Math.floor(gas.length / 2)];
  } finally {
    await anvil.stop();
  }
}

console.log(`contracts gas bench — ${os.cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`);
console.log(
  `one reading = ${SEALED_BYTES} sealed bytes (${PAYLOAD_BYTES}-byte payload); MVP = median of ${MVP_SAMPLES} submitResult transactions\n`,
);
let headline;
for (const hardfork of ["default", "cancun"]) {
  const [lcore, mvp] = [await benchGas({ hardfork, payloadBytes: PAYLOAD_BYTES }), await mvpGasPerRecord(hardfork)];
  console.log(
    `EVM rules: ${hardfork === "default" ? "anvil's default (the devnet's; EIP-7623 calldata floor)" : hardfork}`,
  );
  console.log("| records per input | gas per record, lcore | gas per record, MVP | MVP / lcore |");
  console.log("| ---: | ---: | ---: | ---: |");
  for (const row of lcore.rows) {
    const ratio = mvp / row.gasPerRecord;
    console.log(`| ${row.records} | ${Math.round(row.gasPerRecord)} | ${mvp} | ${ratio.toFixed(1)}× |`);
    if (hardfork === "default" && row.records === 100) headline = ratio;
  }
  console.log("");
}
console.log(`BENCH contracts.mvp_over_lcore.100 ${headline.toFixed(1)} x`);
