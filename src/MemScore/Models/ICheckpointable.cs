using MemScore.Core;

namespace MemScore.Models;

/// <summary>
/// A model whose complete training state (weights and optimizer) can be saved as plain numeric
/// arrays and restored exactly, so an interrupted task resumes bit-identically. Loading never
/// deserializes objects: names, dtypes and shapes are checked against the model.
/// </summary>
internal interface ICheckpointable
{
    IReadOnlyDictionary<string, NpyArray> SaveState();

    /// <param name="source">Names the file in error messages.</param>
    void LoadState(IReadOnlyDictionary<string, NpyArray> state, string source);
}
