namespace LstmText.Forecasting;

/// <summary>
/// A series file cannot be used as given: a missing or non-numeric value, an unsorted, repeated or irregular
/// timestamp, a column that does not exist, or a series too short for the window. The message is one plain line
/// naming the file, line, column or value.
/// </summary>
public sealed class SeriesFormatException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public SeriesFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its one-line message and the failure behind it.</summary>
    public SeriesFormatException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a generic message.</summary>
    public SeriesFormatException() : base("The series cannot be used.") { }
}
