using System.Globalization;

namespace LstmText.Forecasting;

/// <summary>
/// The regular spacing of a series: a fixed duration (hours, days, weeks) or a number of calendar months (monthly,
/// quarterly, yearly data, whose durations vary).
/// </summary>
public readonly record struct TimeStep
{
    private TimeStep(TimeSpan fixedStep, int months)
    {
        Fixed = fixedStep;
        Months = months;
    }

    /// <summary>The fixed duration of a step, or zero for a calendar step.</summary>
    public TimeSpan Fixed { get; }

    /// <summary>Calendar months per step, or zero for a fixed step.</summary>
    public int Months { get; }

    /// <summary>A step of a fixed duration.</summary>
    public static TimeStep OfDuration(TimeSpan step)
    {
        if (step <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(step), "A time step must be positive.");
        return new TimeStep(step, 0);
    }

    /// <summary>A step of whole calendar months.</summary>
    public static TimeStep OfMonths(int months)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(months);
        return new TimeStep(TimeSpan.Zero, months);
    }

    /// <summary>The time <paramref name="steps"/> steps after <paramref name="time"/>.</summary>
    public DateTime Advance(DateTime time, int steps) => Months > 0 ? time.AddMonths(Months * steps) : time + Fixed * steps;

    /// <summary>
    /// The season length usually meant for this spacing: 24 for hourly, 7 for daily data shorter than two years and
    /// 365 for longer ones, 52 for weekly, 12 for monthly, 4 for quarterly; 1 when there is none.
    /// </summary>
    public int UsualSeason(int length)
    {
        if (Months == 1) return 12;
        if (Months == 3) return 4;
        if (Months > 0) return 1;
        if (Fixed == TimeSpan.FromHours(1)) return 24;
        if (Fixed == TimeSpan.FromDays(1)) return length >= 2 * 365 + 30 ? 365 : 7;
        if (Fixed == TimeSpan.FromDays(7)) return 52;
        return 1;
    }

    /// <summary>The step as text: "1 day", "1 month", "01:00:00".</summary>
    public override string ToString() => Months > 0
        ? Months.ToString(CultureInfo.InvariantCulture) + (Months == 1 ? " month" : " months")
        : Fixed.TotalDays >= 1 && Fixed.TotalDays == Math.Floor(Fixed.TotalDays)
            ? Fixed.TotalDays.ToString(CultureInfo.InvariantCulture) + (Fixed.TotalDays == 1 ? " day" : " days")
            : Fixed.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>The step from one time to the next, as a calendar step when both fall on the same day of the month.</summary>
    internal static TimeStep Between(DateTime first, DateTime second)
    {
        int months = (second.Year - first.Year) * 12 + second.Month - first.Month;
        if (months > 0 && first.AddMonths(months) == second && (second - first).TotalDays >= 28) return OfMonths(months);
        return OfDuration(second - first);
    }
}
