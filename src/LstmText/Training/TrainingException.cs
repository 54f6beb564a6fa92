namespace LstmText.Training;

/// <summary>Training cannot start or go on: the corpus is empty or too short, a checkpoint does not match, and so on.</summary>
public class TrainingException : Exception
{
    /// <summary>Creates the exception; the message names the problem and, where there is one, the way out.</summary>
    public TrainingException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
