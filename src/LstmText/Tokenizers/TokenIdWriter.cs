namespace LstmText.Tokenizers;

/// <summary>
/// Writes ids into a caller's span and keeps counting once the span is full, so a failed encode can say
/// exactly how many ids the text needs.
/// </summary>
internal ref struct TokenIdWriter
{
    private readonly Span<int> destination;

    public TokenIdWriter(Span<int> destination)
    {
        this.destination = destination;
        Count = 0;
    }

    public int Count { get; private set; }

    public readonly bool Fits => Count <= destination.Length;

    public void Add(int id)
    {
        if ((uint)Count < (uint)destination.Length)
        {
            destination[Count] = id;
        }
        Count++;
    }
}
