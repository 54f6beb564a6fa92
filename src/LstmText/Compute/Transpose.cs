namespace LstmText.Compute;

/// <summary>Whether a GEMM operand is used as stored or transposed.</summary>
public enum Transpose
{
    /// <summary>Use the matrix as stored (row-major).</summary>
    No,

    /// <summary>Use the transpose of the stored matrix.</summary>
    Yes,
}
