using Skein.Labeling;
using Skein.Onnx;

namespace Skein.Examples;

/// <summary>
/// The seven text labeling functions of Snorkel's spam tutorial, over a YouTube comment, in WRENCH
/// <c>youtube</c> column order (LFs 0–6 of its <c>weak_labels</c>). HAM = 0, SPAM = 1.
/// </summary>
public static class YouTubeSpamLfs
{
    /// <summary>Class index of ham comments.</summary>
    public const int Ham = 0;

    /// <summary>Class index of spam comments.</summary>
    public const int Spam = 1;

    /// <summary>Number of classes.</summary>
    public const int Cardinality = 2;

    /// <summary>keyword_my, keyword_subscribe, keyword_link, keyword_please, keyword_song, regex_check_out, short_comment.</summary>
    public static IReadOnlyList<ILabelingFunction<string>> All { get; } =
    [
        // Snorkel tests `word in text.lower()`: a case-insensitive substring test.
        LabelingFunction.Keyword("keyword_my", Spam, "my"),
        LabelingFunction.Keyword("keyword_subscribe", Spam, "subscribe"),
        LabelingFunction.Keyword("keyword_link", Spam, "http"),
        LabelingFunction.Keyword("keyword_please", Spam, "please", "plz"),
        LabelingFunction.Keyword("keyword_song", Ham, "song"),
        LabelingFunction.Pattern("regex_check_out", Spam, "check.*out", new PatternOptions { IgnoreCase = true }),
        LabelingFunction.Create<string>("short_comment", text => CountWords(text) < 5 ? Ham : LabelingFunction.Abstain),
    ];

    /// <summary>
    /// Zero-shot class prototypes for an embedding LF (see <c>TextAutoPipeline</c>): short descriptions written by hand,
    /// not taken from the data.
    /// </summary>
    public static IReadOnlyList<ClassPrototype> ZeroShotPrototypes { get; } =
    [
        ClassPrototype.Of(Spam,
            "Check out my YouTube channel and subscribe",
            "Please subscribe to my channel, I make videos",
            "Visit my website to make money online",
            "Click this link to get free gift cards",
            "Follow me on Twitter and Facebook",
            "I am a new rapper, listen to my music and share it",
            "Like and share this comment so everyone sees it",
            "Promote your business with our service"),
        ClassPrototype.Of(Ham,
            "I love this song",
            "This music video is amazing",
            "Her voice is beautiful",
            "Who is still watching this in 2015?",
            "This song has over a billion views",
            "The best song ever, it never gets old",
            "This song brings back memories",
            "lol this video is so funny"),
    ];

    /// <summary>The number of words as Python's <c>str.split()</c> counts them: runs of non-whitespace.</summary>
    public static int CountWords(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        int words = 0;
        bool inWord = false;
        foreach (char c in text)
        {
            bool space = IsPythonWhitespace(c);
            if (!space && !inWord)
            {
                words++;
            }

            inWord = !space;
        }

        return words;
    }

    /// <summary>
    /// Python's <c>str.isspace()</c>: .NET's white space plus the information separators U+001C–U+001F,
    /// which Python splits on and .NET does not.
    /// </summary>
    public static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';
}
