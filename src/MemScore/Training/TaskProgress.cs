using MemScore.Memorization;

namespace MemScore.Training;

public enum TaskPhase { Training, Evaluating, Finished }

/// <summary>Progress of member <see cref="Member"/> of a training unit, reported after each epoch and each evaluation batch.</summary>
public sealed record TrainingProgress(int Member, TaskPhase Phase, int Epoch, int Epochs, int Done, int Total, double? Loss);

/// <summary>Progress of one task, reported after each epoch and each evaluation batch.</summary>
public sealed record TaskProgress(TaskId Task, TaskPhase Phase, int Epoch, int Epochs, int Done, int Total, double? Loss)
{
    public static TaskProgress Of(TaskId task, TrainingProgress p) => new(task, p.Phase, p.Epoch, p.Epochs, p.Done, p.Total, p.Loss);
}
