using System.Globalization;
using System.Text;

namespace MemScore.Reporting.Figures;

/// <summary>The numbers behind a figure, written as CSV beside it (round-trip digits, empty for NaN).</summary>
internal sealed class FigureTable(params string[] columns)
{
    readonly StringBuilder _csv = new StringBuilder().AppendJoin(',', columns).Append('\n');
    public int Columns { get; } = columns.Length;

    public FigureTable Row(params object[] values)
    {
        if (values.Length != Columns) throw new ArgumentException($"{values.Length} values for {Columns} columns", nameof(values));
        _csv.AppendJoin(',', values.Select(Cell)).Append('\n');
        return this;
    }

    static string Cell(object value) => value switch
    {
        double d when double.IsNaN(d) => "",
        double d when double.IsPositiveInfinity(d) => "inf",
        double d when double.IsNegativeInfinity(d) => "-inf",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public override string ToString() => _csv.ToString();
}
