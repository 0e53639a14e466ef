using MemScore.Core;

namespace MemScore.Cli;

/// <summary>Process exit codes of memscore (documented in README and --help).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int InternalError = 1;
    public const int InvalidArguments = 2;
    public const int InvalidInput = 3;
    public const int RunFolderProblem = 4;
    public const int NumericalFailure = 5;
    public const int ExternalToolFailed = 6;
    public const int Cancelled = 130;

    public static int For(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidConfiguration => InvalidArguments,
        ErrorKind.InvalidInput => InvalidInput,
        ErrorKind.RunFolder => RunFolderProblem,
        ErrorKind.Numerical => NumericalFailure,
        ErrorKind.External => ExternalToolFailed,
        _ => InternalError,
    };

    public const string Help =
        "Exit codes: 0 success; 1 internal error; 2 invalid arguments or config; 3 invalid or missing input data; " +
        "4 run folder unusable (other config, unwritable, foreign results); 5 NaN/Inf during training or evaluation; " +
        "6 external tool (npm) failed; 130 interrupted (rerun the same command to resume).";
}
