namespace LstmText.Tokenizers;

/// <summary>The Unicode normalisation a tokenizer applies to text before it splits it.</summary>
public enum TextNormalization
{
    /// <summary>The text is used as it is.</summary>
    None,

    /// <summary>Canonical composition (NFC): <c>e</c> + combining acute becomes <c>é</c>.</summary>
    Nfc,

    /// <summary>Compatibility composition (NFKC): also folds ligatures, full-width forms and circled digits.</summary>
    Nfkc,
}
