using System.Globalization;
using System.Text;

namespace PsTraining.ParameterServer.Transport;

/// <summary>The constants and small encodings of gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md).</summary>
public static class GrpcProtocol
{
    /// <summary>Each message: a 1-byte compressed flag and a 4-byte big-endian length, then the message.</summary>
    public const int HeaderSize = 5;

    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";

    /// <summary>The default limit on one message, in either direction (gRPC's own default is 4 MiB; models need more).</summary>
    public const int DefaultMaxMessageSize = 64 * 1024 * 1024;

    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';');

    /// <summary>Parses a grpc-timeout value: up to 8 digits and a unit (H, M, S, m, u, n).</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9
            || !long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        double? ticks = value[^1] switch
        {
            'H' => amount * (double)TimeSpan.TicksPerHour,
            'M' => amount * (double)TimeSpan.TicksPerMinute,
            'S' => amount * (double)TimeSpan.TicksPerSecond,
            'm' => amount * (double)TimeSpan.TicksPerMillisecond,
            'u' => amount * (TimeSpan.TicksPerMillisecond / 1000.0),
            'n' => amount / 100.0,
            _ => null,
        };
        if (ticks is null)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks((long)Math.Min(ticks.Value, TimeSpan.MaxValue.Ticks));
        return true;
    }

    /// <summary>Formats a timeout in whole milliseconds (at least 1 m), within the 8 digits the header allows.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        var ms = Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds));
        return ms < 100_000_000 ? $"{ms}m" : $"{Math.Min(99_999_999, (long)Math.Ceiling(timeout.TotalSeconds))}S";
    }

    /// <summary>Percent-encodes a grpc-message: bytes outside 0x20..0x7E, and '%', become %XX of their UTF-8.</summary>
    public static string EncodeMessage(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    public static string DecodeMessage(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            return "";
        }

        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length
                && byte.TryParse(encoded.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.Add((byte)encoded[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
