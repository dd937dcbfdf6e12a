// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice What the fleet reads of each shard's LcoreSettlement: the Application it trusts, and
/// its record check. Declared here, not imported, so the registry depends on these two calls only.
interface ILcoreShardSettlement {
    function application() external view returns (address);
    function verifyRecord(uint64 period, bytes32 recordHash, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (bool);
}

/// @title LcoreFleet
/// @notice The shards of one lcore fleet: N Cartesi Applications of the same machine template,
/// each with its own LcoreSettlement (written only by its own Application's vouchers). The
/// owner adds shards; a shard is never removed or changed, because devices stay in the shard
/// they were registered in and their proofs must keep verifying there. Clients look a shard
/// up here and verify a record through it (docs/PROTOCOL.md, "Fleet").
contract LcoreFleet {
    /// @notice One shard: the Application that runs it, and the LcoreSettlement it settles into.
    struct Shard {
        address application;
        address settlement;
    }

    /// @notice Most shards a fleet holds (a bound on every loop a client runs over them).
    uint256 public constant MAX_SHARDS = 256;

    address public owner;
    Shard[] private _shards;
    /// @dev Application => its shard's index + 1 (0: not in the fleet).
    mapping(address application => uint256) private _indexPlusOne;

    event ShardAdded(uint256 indexed shard, address indexed application, address settlement);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice Only the owner administers the fleet.
    error CallerNotOwner(address caller, address owner);
    error ZeroAddress();
    /// @notice An Application belongs to one shard at most.
    error ShardExists(address application, uint256 shard);
    /// @notice The settlement contract does not trust this Application.
    error SettlementMismatch(address settlement, address application, address settlementApplication);
    error TooManyShards(uint256 max);
    error UnknownShard(uint256 shard, uint256 shardCount);
    error UnknownApplication(address application);

    constructor(address owner_) {
        if (owner_ == address(0)) revert ZeroAddress();
        owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert CallerNotOwner(msg.sender, owner);
        _;
    }

    /// @notice Append a shard; its index is the number of shards before it.
    function addShard(address application, address settlement) external onlyOwner returns (uint256 index) {
        if (application == address(0) || settlement == address(0)) revert ZeroAddress();
        uint256 existing = _indexPlusOne[application];
        if (existing != 0) revert ShardExists(application, existing - 1);
        if (_shards.length >= MAX_SHARDS) revert TooManyShards(MAX_SHARDS);
        address trusted = ILcoreShardSettlement(settlement).application();
        if (trusted != application) revert SettlementMismatch(settlement, application, trusted);
        index = _shards.length;
        _shards.push(Shard(application, settlement));
        _indexPlusOne[application] = index + 1;
        emit ShardAdded(index, application, settlement);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function shardCount() external view returns (uint256) {
        return _shards.length;
    }

    function shard(uint256 index) public view returns (Shard memory) {
        if (index >= _shards.length) revert UnknownShard(index, _shards.length);
        return _shards[index];
    }

    /// @notice The shard an Application runs.
    function shardOf(address application) external view returns (uint256) {
        uint256 indexPlusOne = _indexPlusOne[application];
        if (indexPlusOne == 0) revert UnknownApplication(application);
        return indexPlusOne - 1;
    }

    /// @notice LcoreSettlement.verifyRecord of the given shard: the record was settled in that
    /// shard's period `period` at `index` of its records tree.
    function verifyRecord(uint256 shardIndex, uint64 period, bytes32 recordHash, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        return ILcoreShardSettlement(shard(shardIndex).settlement).verifyRecord(period, recordHash, index, proof);
    }
}
