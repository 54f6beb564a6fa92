namespace LstmText.Forecasting;

/// <summary>Cyclic calendar inputs derived from the time column, each as a sine and a cosine.</summary>
[Flags]
public enum CalendarFeatures
{
    /// <summary>No calendar inputs.</summary>
    None = 0,

    /// <summary>Hour of the day (for sub-daily data).</summary>
    HourOfDay = 1,

    /// <summary>Day of the week.</summary>
    DayOfWeek = 2,

    /// <summary>Day of the year (yearly season of daily data).</summary>
    DayOfYear = 4,

    /// <summary>Month of the year.</summary>
    Month = 8,
}

/// <summary>Computes <see cref="CalendarFeatures"/> for a time.</summary>
public static class Calendar
{
    /// <summary>The features that suit a spacing: hour, weekday and day of year below a day; weekday and day of year
    /// for daily data; month for monthly data; none for coarser data.</summary>
    public static CalendarFeatures For(TimeStep step)
    {
        if (step.Months == 1) return CalendarFeatures.Month;
        if (step.Months > 0) return CalendarFeatures.None;
        if (step.Fixed < TimeSpan.FromDays(1)) return CalendarFeatures.HourOfDay | CalendarFeatures.DayOfWeek | CalendarFeatures.DayOfYear;
        if (step.Fixed == TimeSpan.FromDays(1)) return CalendarFeatures.DayOfWeek | CalendarFeatures.DayOfYear;
        if (step.Fixed == TimeSpan.FromDays(7)) return CalendarFeatures.DayOfYear;
        return CalendarFeatures.None;
    }

    /// <summary>How many inputs <paramref name="features"/> adds (two per feature).</summary>
    public static int Count(CalendarFeatures features) => 2 * System.Numerics.BitOperations.PopCount((uint)features);

    /// <summary>Writes the sine and cosine of each chosen feature of <paramref name="time"/> into <paramref name="destination"/>.</summary>
    public static void Write(CalendarFeatures features, DateTime time, Span<float> destination)
    {
        int k = 0;
        void Cycle(double position, double period, Span<float> into)
        {
            double angle = 2 * Math.PI * position / period;
            into[k++] = (float)Math.Sin(angle);
            into[k++] = (float)Math.Cos(angle);
        }
        if (features.HasFlag(CalendarFeatures.HourOfDay)) Cycle(time.TimeOfDay.TotalHours, 24, destination);
        if (features.HasFlag(CalendarFeatures.DayOfWeek)) Cycle((int)time.DayOfWeek, 7, destination);
        if (features.HasFlag(CalendarFeatures.DayOfYear)) Cycle(time.DayOfYear - 1, 365.25, destination);
        if (features.HasFlag(CalendarFeatures.Month)) Cycle(time.Month - 1, 12, destination);
    }
}
