// What a frontend does with Cartesi's viem extension, @cartesi/viem, against the devnet: fund the
// application through the EtherPortal, add an input, wait for it to be processed, read its
// outputs and reports, validate a notice on the Application and execute a voucher with the
// proofs the node serves. Every Cartesi step goes through the extension's own actions
// (walletActionsL1, publicActionsL1, the L2 public client); plain viem only waits for receipts
// and reads balances.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCartesiPublicClient,
  getInputsAdded,
  getOutputsExecuted,
  publicActionsL1,
  walletActionsL1,
  type CartesiPublicClient,
} from "@cartesi/viem";
import { http, parseEther, stringToHex } from "viem";
import { type Devnet, OUTPUTS_TREE_HEIGHT } from "@lcore/devnet";
import { chainClients, tempDir, waitFor, startEchoDevnet } from "./helpers.js";

let devnet: Devnet;
let dir: ReturnType<typeof tempDir>;
/** The devnet's log, shown when a wait times out. */
const logs: string[] = [];
const logTail = () => logs.slice(-20).join("\n");
let chain: ReturnType<typeof chainClients>;
let l2: CartesiPublicClient;

beforeAll(async () => {
  dir = tempDir("cartesi-viem");
  devnet = await startEchoDevnet(dir.path, (m) => logs.push(m));
  chain = chainClients(devnet.chainRpcUrl);
  l2 = createCartesiPublicClient({ transport: http(devnet.jsonRpcUrl) });
});

afterAll(async () => {
  await devnet?.stop();
  dir?.remove();
});

/** The last accepted epoch, or -1 while none is (the node answers "not found" then). */
async function lastAccepted(): Promise<bigint> {
  try {
    return await l2.getLastAcceptedEpochIndex({ application: devnet.application });
  } catch {
    return -1n;
  }
}

describe("@cartesi/viem against the devnet", () => {
  it("reads the application and the node through the L2 client", async () => {
    const application = await l2.getApplication({ application: devnet.application });
    expect(application.applicationAddress).toBe(devnet.application);
    expect(application.consensusAddress).toBe(devnet.authority);
    expect(application.inputBoxAddress).toBe(devnet.inputBox);
    expect(application.state).toBe("ENABLED");
    expect(application.epochLength).toBe(4n);
    // The data availability the factory was given, decoded by the client: InputBox(inputBox).
    expect(application.dataAvailability).toMatchObject({ type: "InputBox", inputBoxAddress: devnet.inputBox });
    const list = await l2.listApplications();
    expect(list.pagination).toEqual({ limit: 50, offset: 0, totalCount: 1 });
    expect(await l2.getChainId()).toBe(31337);
    expect(await l2.getNodeVersion()).toMatch(/^2\./);
  });

  it("deposits, adds an input, waits for it, validates a notice and executes a voucher with the node's proofs", async () => {
    const owner = chain.wallet(0).extend(walletActionsL1());
    const executor = chain.wallet(2).extend(walletActionsL1());
    const l1 = chain.pub.extend(publicActionsL1());
    const application = devnet.application;
    // walletActionsL1() types its client without a chain, so its actions demand `chain`;
    // undefined makes them use the wallet's own chain (the extension's default).
    const onChain = { chain: undefined };

    // Fund the Application through the EtherPortal, so vouchers can carry value.
    const deposit = await owner.depositEther({
      ...onChain,
      account: owner.account,
      application,
      value: parseEther("1"),
      execLayerData: "0x",
    });
    const [deposited] = getInputsAdded(await chain.pub.waitForTransactionReceipt({ hash: deposit }));
    expect(deposited!.index).toBe(0n);
    expect(await chain.pub.getBalance({ address: application })).toBe(parseEther("1"));

    const payload = stringToHex("hello from a frontend");
    const sent = await owner.addInput({ ...onChain, account: owner.account, application, payload });
    const [added] = getInputsAdded(await chain.pub.waitForTransactionReceipt({ hash: sent }));
    expect(added!.index).toBe(1n);

    const input = await l2.waitForInput({
      application,
      inputIndex: added!.index,
      pollingInterval: 100,
      retryCount: 600,
    });
    expect(input.status).toBe("ACCEPTED");
    expect(input.decodedData).toMatchObject({ sender: owner.account.address, payload, index: 1n, chainId: 31337n });

    const { data: outputs, pagination } = await l2.listOutputs({ application, inputIndex: added!.index });
    expect(pagination.totalCount).toBe(2);
    const notice = outputs.find((o) => o.decodedData?.type === "Notice")!;
    const voucher = outputs.find((o) => o.decodedData?.type === "Voucher")!;
    expect(notice.decodedData).toEqual({ type: "Notice", payload });
    expect(voucher.decodedData).toEqual({ type: "Voucher", destination: owner.account.address, value: 1000n, payload });
    const notices = await l2.listOutputs({ application, outputType: "Notice" });
    expect(notices.data.map((o) => o.inputIndex)).toEqual([0n, 1n]);
    const vouchersToOwner = await l2.listOutputs({ application, voucherAddress: owner.account.address });
    expect(vouchersToOwner.data.map((o) => o.index)).toEqual([voucher.index]);
    const reports = await l2.listReports({ application, inputIndex: added!.index });
    expect(reports.data.map((r) => r.rawData)).toEqual([payload]);

    // Proofs come once the epoch is sealed; execution needs its claim accepted.
    const [provedNotice, provedVoucher] = await waitFor(
      "the outputs' epoch accepted, with proofs",
      async () => {
        if ((await lastAccepted()) < voucher.epochIndex) return undefined;
        const proved = await Promise.all(
          [notice, voucher].map((o) => l2.getOutput({ application, outputIndex: o.index })),
        );
        return proved.every((o) => o.outputHashesSiblings) ? proved : undefined;
      },
      90_000,
      100,
      logTail,
    );
    expect(provedVoucher!.outputHashesSiblings).toHaveLength(OUTPUTS_TREE_HEIGHT);
    const epoch = await l2.getEpoch({ application, epochIndex: provedVoucher!.epochIndex });
    expect(epoch.status).toBe("CLAIM_ACCEPTED");

    expect(await l1.validateOutput({ application, output: provedNotice! })).toBe(true);
    // The same proof does not validate other bytes: the check is the Application's, not ours.
    const forged = {
      ...provedNotice!,
      rawData: provedNotice!.rawData.replace(/.$/, (c) => (c === "0" ? "1" : "0")) as `0x${string}`,
    };
    expect(await l1.validateOutput({ application, output: forged })).toBe(false);

    const before = await chain.pub.getBalance({ address: owner.account.address });
    const executed = await executor.executeOutput({
      ...onChain,
      account: executor.account,
      application,
      output: provedVoucher!,
    });
    const receipt = await chain.pub.waitForTransactionReceipt({ hash: executed });
    expect(receipt.status).toBe("success");
    expect(getOutputsExecuted(receipt).map((e) => e.outputIndex)).toEqual([provedVoucher!.index]);
    expect(await chain.pub.getBalance({ address: owner.account.address })).toBe(before + 1000n);

    // The node picks the execution up from the chain.
    const seen = await waitFor(
      "the execution seen by the node",
      async () => {
        const o = await l2.getOutput({ application, outputIndex: provedVoucher!.index });
        return o.executionTransactionHash ?? undefined;
      },
      60_000,
      100,
      logTail,
    );
    expect(seen).toBe(executed);
    expect(await l2.getProcessedInputCount({ application })).toBe(2n);
  });

  it("converts every other L2 read of the devnet's answers", async () => {
    const application = devnet.application;
    const sender = chain.wallet(0).account.address;
    const epochs = await l2.listEpochs({ application });
    expect(epochs.data.length).toBe(epochs.pagination.totalCount);
    expect(epochs.data.at(-1)!.inputIndexUpperBound).toBe(2n);
    const accepted = await l2.listEpochs({ application, status: "CLAIM_ACCEPTED" });
    expect(accepted.data).toEqual(epochs.data);

    const inputs = await l2.listInputs({ application });
    expect(inputs.data.map((i) => [i.index, i.status])).toEqual([
      [0n, "ACCEPTED"],
      [1n, "ACCEPTED"],
    ]);
    // The deposit came through the EtherPortal: the portal is that input's sender.
    const fromSender = await l2.listInputs({ application, sender });
    expect(fromSender.data.map((i) => i.index)).toEqual([1n]);
    const deposit = await l2.getInput({ application, inputIndex: 0n });
    expect(deposit.decodedData!.sender).not.toBe(sender);
    expect(deposit).toEqual(inputs.data[0]);
    const firstEpoch = await l2.listInputs({ application, epochIndex: deposit.epochIndex, limit: 1 });
    expect(firstEpoch.data.map((i) => i.index)).toEqual([0n]);

    const reports = await l2.listReports({ application, limit: 1, offset: 1 });
    expect(reports.pagination).toEqual({ totalCount: 2, limit: 1, offset: 1 });
    const report = await l2.getReport({ application, reportIndex: reports.data[0]!.index });
    expect(report.rawData).toBe(stringToHex("hello from a frontend"));

    // An Authority application has no PRT tournaments, commitments or matches.
    const nobody = devnet.authority;
    const none = { data: [], pagination: { totalCount: 0, limit: 50, offset: 0 } };
    expect(await l2.listTournaments({ application })).toEqual(none);
    expect(await l2.listCommitments({ application })).toEqual(none);
    expect(await l2.listMatches({ application })).toEqual(none);
    expect(
      await l2.listMatchAdvances({
        application,
        epochIndex: 0n,
        tournamentAddress: nobody,
        idHash: `0x${"00".repeat(32)}`,
      }),
    ).toEqual(none);
    await expect(l2.getTournament({ application, address: nobody })).rejects.toThrow(/not found/);
  });
});
