using MemScore.Memorization;

namespace MemScore.Training;

public enum TaskPhase { Training, Evaluating, Finished }

/// <summary>Progress of one task, reported after each epoch and each evaluation batch.</summary>
public sealed record TaskProgress(TaskId Task, TaskPhase Phase, int Epoch, int Epochs, int Done, int Total, double? Loss);
