using System.Globalization;
using System.Text;

namespace PrismConfig.Core.Yaml;

/// <summary>
/// How plain YAML scalars are typed on import, and how strings are written on export so that they read back
/// as the same strings. Typing follows the YAML 1.2 core schema, minus the forms that YAML 1.1 parsers read
/// differently (a leading zero, as in 0123, stays a string).
/// </summary>
internal static class YamlScalars
{
    /// <summary>A resolved plain scalar: null, bool, int, long, double or the original text.</summary>
    public static object? ResolvePlain(string text)
    {
        if (text.Length == 0) return null;
        switch (text[0])
        {
            case '~':
                return text.Length == 1 ? null : text;
            case 'n' or 'N':
                return text is "null" or "Null" or "NULL" ? null : text;
            case 't' or 'T':
                return text is "true" or "True" or "TRUE" ? true : text;
            case 'f' or 'F':
                return text is "false" or "False" or "FALSE" ? false : text;
            case (>= '0' and <= '9') or '+' or '-' or '.':
                return TryNumber(text, out var number) ? number : text;
            default:
                return text;
        }
    }

    /// <summary>True and the value when a plain scalar is an integer that fits in an int.</summary>
    public static bool TryInt32(string text, out int value)
    {
        value = 0;
        if (!TryNumber(text, out var number)) return false;
        if (number is int i)
        {
            value = i;
            return true;
        }
        return false;
    }

    /// <summary>True when a plain scalar spelled as a whole number but too large for an int.</summary>
    public static bool IsIntegerOutOfRange(string text) => TryNumber(text, out var number) && number is long;

    private static bool TryNumber(string text, out object number)
    {
        number = 0;
        var s = text.AsSpan();
        var sign = 0;
        if (s.Length > 0 && (s[0] == '+' || s[0] == '-')) sign = 1;
        var body = s[sign..];
        if (body.Length == 0) return false;

        // .inf, .nan (YAML core schema)
        if (body[0] == '.' && body.Length == 4)
        {
            if (body is ".inf" or ".Inf" or ".INF")
            {
                number = s[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            }
            if (sign == 0 && body is ".nan" or ".NaN" or ".NAN")
            {
                number = double.NaN;
                return true;
            }
        }

        // 0x1F and 0o17, unsigned as in the core schema.
        if (sign == 0 && body.Length > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o'))
        {
            var digits = body[2..];
            ulong acc = 0;
            var radix = body[1] == 'x' ? 16u : 8u;
            foreach (var c in digits)
            {
                uint d;
                if (c is >= '0' and <= '9') d = (uint)(c - '0');
                else if (radix == 16 && c is >= 'a' and <= 'f') d = (uint)(c - 'a' + 10);
                else if (radix == 16 && c is >= 'A' and <= 'F') d = (uint)(c - 'A' + 10);
                else return false;
                if (d >= radix) return false;
                if (acc > ((ulong)long.MaxValue - d) / radix) return false; // too large: keep the text
                acc = (acc * radix) + d;
            }
            number = acc <= int.MaxValue ? (object)(int)acc : (long)acc;
            return true;
        }

        var intDigits = 0;
        while (intDigits < body.Length && char.IsAsciiDigit(body[intDigits])) intDigits++;

        if (intDigits == body.Length)
        {
            // An integer. A leading zero (0123) is octal to YAML 1.1 and decimal to 1.2: keep it as text.
            if (body.Length > 1 && body[0] == '0') return false;
            if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                number = l is >= int.MinValue and <= int.MaxValue ? (object)(int)l : l;
                return true;
            }
            // Beyond long: a double, as JSON would give.
            number = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
            return true;
        }

        // A float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        var i = intDigits;
        var fracDigits = 0;
        if (i < body.Length && body[i] == '.')
        {
            i++;
            while (i < body.Length && char.IsAsciiDigit(body[i]))
            {
                i++;
                fracDigits++;
            }
        }
        if (intDigits == 0 && fracDigits == 0) return false;
        if (i < body.Length && (body[i] == 'e' || body[i] == 'E'))
        {
            i++;
            if (i < body.Length && (body[i] == '+' || body[i] == '-')) i++;
            var expDigits = 0;
            while (i < body.Length && char.IsAsciiDigit(body[i]))
            {
                i++;
                expDigits++;
            }
            if (expDigits == 0) return false;
        }
        if (i != body.Length) return false;
        number = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        return true;
    }

    // ---- Export ----

    /// <summary>Appends a string so that it reads back as exactly that string.</summary>
    public static void AppendString(StringBuilder sb, string value)
    {
        if (IsSafePlain(value))
        {
            sb.Append(value);
            return;
        }
        AppendDoubleQuoted(sb, value);
    }

    /// <summary>
    /// A string is written plain only when no YAML parser (1.1 or 1.2) could read it as anything else: it starts
    /// with an ASCII letter, '/' or '_', uses a small set of characters, and is not a boolean or null word.
    /// Everything else is double-quoted.
    /// </summary>
    internal static bool IsSafePlain(string value)
    {
        if (value.Length == 0 || value.Length > 200) return false;
        var first = value[0];
        if (!(char.IsAsciiLetter(first) || first == '/' || first == '_')) return false;
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':' or '@' or '+' or '=' or '%'))
            {
                return false;
            }
        }
        if (value[^1] == ':') return false;
        return !IsKeyword(value);
    }

    private static bool IsKeyword(string value)
    {
        if (value.Length > 5) return false;
        return value.ToUpperInvariant() is "TRUE" or "FALSE" or "NULL" or "YES" or "NO" or "ON" or "OFF" or "Y" or "N";
    }

    public static void AppendDoubleQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                case '\u0085': sb.Append("\\N"); break;
                case '\u2028': sb.Append("\\L"); break;
                case '\u2029': sb.Append("\\P"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        sb.Append(c).Append(value[i + 1]);
                        i++;
                    }
                    else if (c < 0x20 || c is (>= '\u007F' and <= '\u009F') or '\uFEFF' or '\uFFFE' or '\uFFFF' || char.IsSurrogate(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>Appends a number so that it reads back with the same type (a double always has a '.').</summary>
    public static void AppendDouble(StringBuilder sb, double d)
    {
        if (double.IsNaN(d))
        {
            sb.Append(".nan");
            return;
        }
        if (double.IsInfinity(d))
        {
            sb.Append(d > 0 ? ".inf" : "-.inf");
            return;
        }
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            sb.Append(text);
        }
        else if (e >= 0)
        {
            sb.Append(text, 0, e).Append(".0").Append(text, e, text.Length - e);
        }
        else
        {
            sb.Append(text).Append(".0");
        }
    }
}
