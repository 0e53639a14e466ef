using MemScore.Memorization;

namespace MemScore.Training;

/// <summary>What a task is doing; <see cref="Warning"/> carries a message for the user in the progress record's Note.</summary>
internal enum TaskPhase { Training, Evaluating, Finished, Warning }

/// <summary>Progress of member <see cref="Member"/> of a training unit, reported after each epoch and each evaluation batch, and warnings (e.g. a discarded checkpoint).</summary>
internal sealed record TrainingProgress(int Member, TaskPhase Phase, int Epoch, int Epochs, int Done, int Total, double? Loss, string? Note = null)
{
    public static TrainingProgress Warn(int epochs, string note) => new(0, TaskPhase.Warning, 0, epochs, 0, 0, null, note);
}

/// <summary>Progress of one task, reported after each epoch and each evaluation batch, and warnings (e.g. a discarded checkpoint).</summary>
internal sealed record TaskProgress(TaskId Task, TaskPhase Phase, int Epoch, int Epochs, int Done, int Total, double? Loss, string? Note = null)
{
    public static TaskProgress Of(TaskId task, TrainingProgress p) => new(task, p.Phase, p.Epoch, p.Epochs, p.Done, p.Total, p.Loss, p.Note);
}
