// The parts of the Cartesi Rollups v2.2.0 ABIs the devnet calls, typed for viem. A test checks
// every selector here against the pinned @cartesi/rollups artifacts.

import { parseAbi } from "viem";

export const inputBoxAbi = parseAbi([
  "function addInput(address appContract, bytes payload) returns (bytes32)",
  "function getNumberOfInputs(address appContract) view returns (uint256)",
  "function getInputHash(address appContract, uint256 index) view returns (bytes32)",
  "function getDeploymentBlockNumber() view returns (uint256)",
  "event InputAdded(address indexed appContract, uint256 indexed index, bytes input)",
  "error InputTooLarge(address appContract, uint256 inputLength, uint256 maxInputLength)",
]);

/** The EvmAdvance call every input is encoded as (common/Inputs.sol). */
export const inputsAbi = parseAbi([
  "function EvmAdvance(uint256 chainId, address appContract, address msgSender, uint256 blockNumber, uint256 blockTimestamp, uint256 prevRandao, uint256 index, bytes payload)",
]);

export const EVM_ADVANCE_SELECTOR = "0x415bf363";

/** Data availability of an application whose inputs come from the InputBox (common/DataAvailability.sol). */
export const dataAvailabilityAbi = parseAbi(["function InputBox(address inputBox)"]);

export const authorityFactoryAbi = parseAbi([
  "function newAuthority(address authorityOwner, uint256 epochLength, bytes32 salt) returns (address)",
  "function calculateAuthorityAddress(address authorityOwner, uint256 epochLength, bytes32 salt) view returns (address)",
  "event AuthorityCreated(address authority)",
]);

export const authorityAbi = parseAbi([
  "function submitClaim(address appContract, uint256 lastProcessedBlockNumber, bytes32 outputsMerkleRoot)",
  "function isOutputsMerkleRootValid(address appContract, bytes32 outputsMerkleRoot) view returns (bool)",
  "function getEpochLength() view returns (uint256)",
  "function owner() view returns (address)",
  "event ClaimSubmitted(address indexed submitter, address indexed appContract, uint256 lastProcessedBlockNumber, bytes32 outputsMerkleRoot)",
  "event ClaimAccepted(address indexed appContract, uint256 lastProcessedBlockNumber, bytes32 outputsMerkleRoot)",
  "error NotEpochFinalBlock(uint256 lastProcessedBlockNumber, uint256 epochLength)",
  "error NotPastBlock(uint256 lastProcessedBlockNumber, uint256 currentBlockNumber)",
  "error NotFirstClaim(address appContract, uint256 lastProcessedBlockNumber)",
  "error OwnableUnauthorizedAccount(address account)",
]);

export const applicationFactoryAbi = parseAbi([
  "function newApplication(address outputsMerkleRootValidator, address appOwner, bytes32 templateHash, bytes dataAvailability, bytes32 salt) returns (address)",
  "function calculateApplicationAddress(address outputsMerkleRootValidator, address appOwner, bytes32 templateHash, bytes dataAvailability, bytes32 salt) view returns (address)",
]);

export const applicationAbi = parseAbi([
  "function executeOutput(bytes output, (uint64 outputIndex, bytes32[] outputHashesSiblings) proof)",
  "function validateOutput(bytes output, (uint64 outputIndex, bytes32[] outputHashesSiblings) proof) view",
  "function wasOutputExecuted(uint256 outputIndex) view returns (bool)",
  "function getDeploymentBlockNumber() view returns (uint256)",
  "function getOutputsMerkleRootValidator() view returns (address)",
  "function getTemplateHash() view returns (bytes32)",
  "function getDataAvailability() view returns (bytes)",
  "function owner() view returns (address)",
  "event OutputExecuted(uint64 outputIndex, bytes output)",
  "error InvalidOutputHashesSiblingsArrayLength()",
  "error InvalidOutputsMerkleRoot(bytes32 outputsMerkleRoot)",
  "error OutputNotExecutable(bytes output)",
  "error OutputNotReexecutable(bytes output)",
  "error InsufficientFunds(uint256 value, uint256 balance)",
]);

export const etherPortalAbi = parseAbi(["function depositEther(address appContract, bytes execLayerData) payable"]);
