namespace PrismConfig.Core;

/// <summary>
/// A store's position: the revision of its last committed change, and the epoch that a whole-store restore changes
/// (revisions from another epoch do not name the same changes).
/// </summary>
public readonly record struct StoreState(long Revision, string Epoch);
