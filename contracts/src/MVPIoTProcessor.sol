// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title MVPIoTProcessor
/// @notice The lcore MVP's on-chain processor, kept with the MVP's ABI and storage only as
/// the benchmark anchor: the MVP wrote every reading's encrypted result to storage, one
/// transaction per reading. Not used by lcore itself.
contract MVPIoTProcessor {
    struct ProcessingResult {
        uint8[] encrypted_result;
        bytes32 proof_hash;
        uint256 timestamp;
        address submitter;
    }

    mapping(bytes32 task_id => ProcessingResult) public results;

    event ResultSubmitted(bytes32 indexed task_id, bytes32 proof_hash, address submitter);

    function submitResult(bytes32 task_id, uint8[] calldata encrypted_result, bytes32 proof_hash) external {
        results[task_id] = ProcessingResult(encrypted_result, proof_hash, block.timestamp, msg.sender);
        emit ResultSubmitted(task_id, proof_hash, msg.sender);
    }

    function getResult(bytes32 task_id)
        external
        view
        returns (uint8[] memory encrypted_result, bytes32 proof_hash, uint256 timestamp, address submitter)
    {
        ProcessingResult storage r = results[task_id];
        return (r.encrypted_result, r.proof_hash, r.timestamp, r.submitter);
    }
}
