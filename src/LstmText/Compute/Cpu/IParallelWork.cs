namespace LstmText.Compute.Cpu;

/// <summary>
/// A piece of work that a <see cref="WorkerTeam"/> splits into parts; implementations are reusable objects,
/// so starting parallel work allocates nothing.
/// </summary>
internal interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>; parts run concurrently.</summary>
    void Execute(int part, int parts);
}
