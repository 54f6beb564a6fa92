namespace LstmText.Compute.Cpu;

/// <summary>
/// Splits one SGEMM across a <see cref="WorkerTeam"/>: each thread takes a band of C's columns (or rows, when
/// C is tall and narrow) and runs the whole blocked algorithm on it with its own packing buffers, so threads
/// never wait on each other inside a call. Reused for every call; holds no per-call allocations.
/// </summary>
internal sealed class ParallelGemm : IParallelWork
{
    /// <summary>Below about 2¹⁹ multiply-adds (≈20 µs) a thread hand-off costs more than it saves.</summary>
    private const long ParallelThreshold = 1L << 19;

    private readonly WorkerTeam team;
    private readonly GemmWorkspace[] workspaces;
    private readonly GemmInstructionSet instructionSet;
    private GemmProblem problem;
    private bool splitColumns;
    private int tileRows;
    private int tileColumns;

    public ParallelGemm(WorkerTeam team, GemmInstructionSet instructionSet)
    {
        this.team = team;
        this.instructionSet = instructionSet;
        workspaces = new GemmWorkspace[team.Size];
        for (int i = 0; i < workspaces.Length; i++) workspaces[i] = new GemmWorkspace();
        (tileRows, tileColumns) = TileOf(instructionSet);
    }

    /// <summary>Computes <paramref name="product"/>, on several threads when it is large enough.</summary>
    public void Run(in GemmProblem product)
    {
        int rowTiles = (product.M + tileRows - 1) / tileRows;
        int columnTiles = (product.N + tileColumns - 1) / tileColumns;
        splitColumns = product.M == 1 || columnTiles >= rowTiles;
        int parts = Math.Min(team.Size, splitColumns ? columnTiles : rowTiles);
        if (parts <= 1 || product.MultiplyAdds < ParallelThreshold)
        {
            RunOnOneThread(product, instructionSet, workspaces[0]);
            return;
        }
        problem = product;
        team.Run(this, parts);
    }

    /// <inheritdoc/>
    public void Execute(int part, int parts)
    {
        if (splitColumns)
        {
            var (first, count) = Band(problem.N, tileColumns, part, parts);
            if (count > 0) RunOnOneThread(problem.Block(0, problem.M, first, count), instructionSet, workspaces[part]);
        }
        else
        {
            var (first, count) = Band(problem.M, tileRows, part, parts);
            if (count > 0) RunOnOneThread(problem.Block(first, count, 0, problem.N), instructionSet, workspaces[part]);
        }
    }

    /// <summary>Computes <paramref name="product"/> on the calling thread.</summary>
    public static void RunOnOneThread(in GemmProblem product, GemmInstructionSet instructionSet, GemmWorkspace workspace)
    {
        if (product.M == 1)
        {
            MatrixVectorProduct.Run(product, workspace, instructionSet);
            return;
        }
        if (instructionSet == GemmInstructionSet.Avx512 && DotProductGemm.Suits(product))
        {
            DotProductGemm.Run(product);
            return;
        }
        switch (instructionSet)
        {
            case GemmInstructionSet.Avx512:
                PackedGemm<Vector512MicroKernel>.Run(product, workspace);
                break;
            case GemmInstructionSet.Avx2:
                PackedGemm<Vector256MicroKernel>.Run(product, workspace);
                break;
            default:
                PackedGemm<ScalarMicroKernel>.Run(product, workspace);
                break;
        }
    }

    private static (int Rows, int Columns) TileOf(GemmInstructionSet instructionSet) => instructionSet switch
    {
        GemmInstructionSet.Avx512 => (Vector512MicroKernel.RowsPerTile, Vector512MicroKernel.ColumnsPerTile),
        GemmInstructionSet.Avx2 => (Vector256MicroKernel.RowsPerTile, Vector256MicroKernel.ColumnsPerTile),
        _ => (ScalarMicroKernel.RowsPerTile, ScalarMicroKernel.ColumnsPerTile),
    };

    /// <summary>Part <paramref name="part"/>'s share of <paramref name="length"/>, cut on tile boundaries.</summary>
    private static (int First, int Count) Band(int length, int tile, int part, int parts)
    {
        int tiles = (length + tile - 1) / tile;
        int first = (int)((long)tiles * part / parts) * tile;
        int end = Math.Min(length, (int)((long)tiles * (part + 1) / parts) * tile);
        return (first, Math.Max(0, end - first));
    }
}
