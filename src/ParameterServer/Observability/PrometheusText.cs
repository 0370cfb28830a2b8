using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace PsTraining.ParameterServer.Observability;

/// <summary>
/// OpenTelemetry metrics in the Prometheus text format, by the OpenTelemetry → Prometheus compatibility rules: names
/// with characters outside [a-zA-Z0-9_:] replaced by '_', the unit as a suffix (s → _seconds, By → _bytes, 1 → _ratio
/// for gauges, annotations in braces dropped), monotonic sums as counters ending in _total, histograms as cumulative
/// _bucket{le} series with _sum and _count, the meter as otel_scope_name and otel_scope_version labels, and the
/// resource as one target_info series.
/// </summary>
public static class PrometheusText
{
    public static string Render(in Batch<Metric> batch, IEnumerable<KeyValuePair<string, object>> resource)
    {
        var text = new StringBuilder();
        text.Append("# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info");
        AppendLabels(text, resource.Select(a => (a.Key, Format(a.Value))), null, null);
        text.Append(" 1\n");
        foreach (var metric in batch)
        {
            Append(text, metric);
        }

        return text.ToString();
    }

    /// <summary>The Prometheus name of an OpenTelemetry instrument (exposed for the tests and the dashboards' checks).</summary>
    public static string Name(string name, string? unit, MetricType type)
    {
        var suffix = UnitSuffix(unit, type);
        var result = Sanitize(name);
        if (suffix is not null && !result.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            result += "_" + suffix;
        }

        return type is MetricType.LongSum or MetricType.DoubleSum && !result.EndsWith("_total", StringComparison.Ordinal) ? result + "_total" : result;
    }

    private static void Append(StringBuilder text, Metric metric)
    {
        var name = Name(metric.Name, metric.Unit, metric.MetricType);
        var kind = metric.MetricType switch
        {
            MetricType.LongSum or MetricType.DoubleSum => "counter",
            MetricType.Histogram => "histogram",
            _ => "gauge", // gauges and non-monotonic sums (up-down counters)
        };
        text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(metric.Description ?? "")).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');
        var scope = (metric.MeterName, metric.MeterVersion);
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var tags = new List<(string, string)>();
            foreach (var tag in point.Tags)
            {
                tags.Add((tag.Key, Format(tag.Value)));
            }

            switch (metric.MetricType)
            {
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    Series(text, name, tags, scope, null, point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    Series(text, name, tags, scope, null, point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    Series(text, name, tags, scope, null, point.GetGaugeLastValueLong());
                    break;
                case MetricType.DoubleGauge:
                    Series(text, name, tags, scope, null, point.GetGaugeLastValueDouble());
                    break;
                case MetricType.Histogram:
                    long cumulative = 0;
                    foreach (var bucket in point.GetHistogramBuckets())
                    {
                        cumulative += bucket.BucketCount;
                        Series(text, name + "_bucket", tags, scope, ("le", Format(bucket.ExplicitBound)), cumulative);
                    }

                    Series(text, name + "_sum", tags, scope, null, point.GetHistogramSum());
                    Series(text, name + "_count", tags, scope, null, point.GetHistogramCount());
                    break;
            }
        }
    }

    private static void Series(StringBuilder text, string name, List<(string Key, string Value)> tags, (string Name, string? Version) scope, (string, string)? extra, double value)
    {
        text.Append(name);
        AppendLabels(text, tags, scope, extra);
        text.Append(' ').Append(Format(value)).Append('\n');
    }

    private static void AppendLabels(StringBuilder text, IEnumerable<(string Key, string Value)> labels, (string Name, string? Version)? scope, (string, string)? extra)
    {
        var all = labels.Select(l => (Key: Sanitize(l.Key), l.Value)).ToList();
        if (scope is { } s)
        {
            all.Add(("otel_scope_name", s.Name));
            if (!string.IsNullOrEmpty(s.Version))
            {
                all.Add(("otel_scope_version", s.Version));
            }
        }

        if (extra is { } e)
        {
            all.Add(e);
        }

        if (all.Count == 0)
        {
            return;
        }

        text.Append('{');
        for (var i = 0; i < all.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(all[i].Key).Append("=\"").Append(EscapeValue(all[i].Value)).Append('"');
        }

        text.Append('}');
    }

    private static string? UnitSuffix(string? unit, MetricType type)
    {
        if (string.IsNullOrEmpty(unit))
        {
            return null;
        }

        var bare = System.Text.RegularExpressions.Regex.Replace(unit, @"\{[^}]*\}", "");
        return bare switch
        {
            "" => null,
            "1" => type is MetricType.LongGauge or MetricType.DoubleGauge ? "ratio" : null,
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            _ => Sanitize(bare.Replace("/", "_per_", StringComparison.Ordinal)),
        };
    }

    private static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_').ToArray();
        var result = new string(chars);
        return result.Length > 0 && char.IsAsciiDigit(result[0]) ? "_" + result : result;
    }

    private static string Format(object? value) => value switch
    {
        double d => Format(d),
        float f => Format((double)f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeValue(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
