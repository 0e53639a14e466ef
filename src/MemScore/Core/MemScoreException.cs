namespace MemScore.Core;

/// <summary>What kind of failure an error is; front ends map it to an exit code.</summary>
public enum ErrorKind
{
    /// <summary>A flag, config field or argument has an invalid value.</summary>
    InvalidConfiguration,
    /// <summary>An input file is missing, unreadable or malformed.</summary>
    InvalidInput,
    /// <summary>The run folder cannot be used (unwritable, from another config, corrupted results).</summary>
    RunFolder,
    /// <summary>Training or evaluation produced NaN/Inf.</summary>
    Numerical,
    /// <summary>An external tool needed to fetch data failed (npm).</summary>
    External,
}

/// <summary>An error caused by the user's input or environment, with a message meant for the user.</summary>
public class MemScoreException(ErrorKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ErrorKind Kind { get; } = kind;
}

/// <summary>A malformed or missing input file; the message names the file and what is wrong.</summary>
public sealed class InvalidInputException(string path, string problem, Exception? inner = null)
    : MemScoreException(ErrorKind.InvalidInput, $"{path}: {problem}", inner)
{
    public string Path { get; } = path;
}

/// <summary>An invalid configuration value; the message names the field, the value and what is expected.</summary>
public sealed class InvalidConfigurationException(string message)
    : MemScoreException(ErrorKind.InvalidConfiguration, message);

/// <summary>Training or evaluation produced a non-finite number.</summary>
internal sealed class NumericalFailureException(string message)
    : MemScoreException(ErrorKind.Numerical, message);
