using System.Text.Json;
using System.Text.Json.Nodes;

namespace PsTraining.Experiments;

/// <summary>
/// Builds the Vega-Lite specs that experiments hand to <see cref="ExperimentContext.AddFigure"/>: self-contained (data
/// inline), with titled axes, so that a test can find the series and axis titles in the rendered SVG.
/// </summary>
public static class VegaLite
{
    public const string Schema = "https://vega.github.io/schema/vega-lite/v6.json";

    /// <summary>One encoding channel: a field of the rows, its axis or legend title, and how it is scaled.</summary>
    public sealed record Channel(string Field, string Title, string Type = "quantitative")
    {
        /// <summary>A logarithmic scale (the values must be positive).</summary>
        public bool Log { get; init; }

        /// <summary>Fixes the scale's extent instead of fitting the data.</summary>
        public double[]? Domain { get; init; }

        /// <summary>The order of a nominal field's values (legend and colours), instead of alphabetical.</summary>
        public IReadOnlyList<string>? Sort { get; init; }

        public JsonObject ToJson()
        {
            var json = new JsonObject { ["field"] = Field, ["type"] = Type, ["title"] = Title };
            var scale = new JsonObject();
            if (Log)
            {
                scale["type"] = "log";
            }

            if (Domain is { } domain)
            {
                scale["domain"] = new JsonArray([.. domain.Select(d => (JsonNode)d)]);
            }

            if (scale.Count > 0)
            {
                json["scale"] = scale;
            }

            if (Sort is { } sort)
            {
                json["sort"] = new JsonArray([.. sort.Select(s => (JsonNode)s)]);
            }

            return json;
        }
    }

    /// <summary>A chart of one mark ("line", "point", "bar", "rule", "area", ...) with x, y and optionally a colour per series.</summary>
    public static JsonObject Chart<T>(string title, string mark, IEnumerable<T> rows, Channel x, Channel y, Channel? color = null, int width = 520, int height = 320) =>
        Titled(title, width, height, Layer(mark, rows, x, y, color));

    /// <summary>Lines through the points, one per series.</summary>
    public static JsonObject Line<T>(string title, IEnumerable<T> rows, Channel x, Channel y, Channel? color = null, bool points = false)
    {
        var spec = Chart(title, "line", rows, x, y, color);
        if (points)
        {
            spec["mark"] = new JsonObject { ["type"] = "line", ["point"] = true };
        }

        return spec;
    }

    /// <summary>One layer of a <see cref="Layered"/> chart: a mark over its own rows.</summary>
    public static JsonObject Layer<T>(string mark, IEnumerable<T> rows, Channel x, Channel y, Channel? color = null)
    {
        var encoding = new JsonObject { ["x"] = x.ToJson(), ["y"] = y.ToJson() };
        if (color is not null)
        {
            encoding["color"] = color.ToJson();
        }

        return new JsonObject
        {
            ["data"] = new JsonObject { ["values"] = JsonSerializer.SerializeToNode(rows) },
            ["mark"] = mark,
            ["encoding"] = encoding,
        };
    }

    /// <summary>Several layers drawn on the same axes (data points under fitted curves, say).</summary>
    public static JsonObject Layered(string title, params JsonObject[] layers) =>
        Titled(title, 520, 320, new JsonObject { ["layer"] = new JsonArray([.. layers]) });

    private static JsonObject Titled(string title, int width, int height, JsonObject body)
    {
        var spec = new JsonObject { ["$schema"] = Schema, ["title"] = title, ["width"] = width, ["height"] = height };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            spec[key] = value;
        }

        return spec;
    }

    /// <summary>Small multiples of <paramref name="chart"/> (a Chart or Line spec): one panel per value of <paramref name="facet"/>, in <paramref name="columns"/> columns, each with its own y scale (and x scale) unless shared.</summary>
    public static JsonObject Faceted(JsonObject chart, Channel facet, int columns, bool independentY = true, bool independentX = false)
    {
        var panels = facet.ToJson();
        panels["columns"] = columns;
        chart["encoding"]!["facet"] = panels;
        var scales = new JsonObject();
        if (independentY)
        {
            scales["y"] = "independent";
        }

        if (independentX)
        {
            scales["x"] = "independent";
        }

        if (scales.Count > 0)
        {
            chart["resolve"] = new JsonObject { ["scale"] = scales };
        }

        return chart;
    }

    /// <summary>Unstacked bars, for a log-scale y: vega-lite stacks bars from 0 by default, and on a log scale it then draws none.</summary>
    public static JsonObject Unstacked(JsonObject chart)
    {
        chart["encoding"]!["y"]!["stack"] = null;
        return chart;
    }

    /// <summary>Shows the legend's labels whole instead of cutting them at Vega's default 160 px (long series names).</summary>
    public static JsonObject WithWholeLegendLabels(JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec["config"] = new JsonObject { ["legend"] = new JsonObject { ["labelLimit"] = 1000 } };
        return spec;
    }

    /// <summary>Large filled points for a "point" layer: markers (chosen values, say) that must stand out on a curve's own points.</summary>
    public static JsonObject Emphasised(JsonObject pointLayer, int size = 150)
    {
        pointLayer["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = size };
        return pointLayer;
    }

    /// <summary>
    /// Small images as grids of rect marks, one panel per (row, column) value pair: each pixel has properties <c>X</c> and
    /// <c>Y</c> (pixel column and row, from 0) and <c>Colour</c> (a CSS colour drawn as it is, without a scale), written
    /// camel-cased (x, y, colour, and the row and column fields likewise).
    /// </summary>
    public static JsonObject ImageGrid<T>(string title, IEnumerable<T> pixels, Channel row, Channel column, int side, int pixelSize = 3)
    {
        var encoding = new JsonObject
        {
            ["x"] = new JsonObject { ["field"] = "x", ["type"] = "ordinal", ["axis"] = null },
            ["y"] = new JsonObject { ["field"] = "y", ["type"] = "ordinal", ["axis"] = null },
            ["color"] = new JsonObject { ["field"] = "colour", ["type"] = "nominal", ["scale"] = null },
            ["row"] = row.ToJson(),
            ["column"] = column.ToJson(),
        };
        return Titled(title, side * pixelSize, side * pixelSize, new JsonObject
        {
            ["data"] = new JsonObject { ["values"] = JsonSerializer.SerializeToNode(pixels, new JsonSerializerOptions(JsonSerializerDefaults.Web)) },
            ["mark"] = "rect",
            ["encoding"] = encoding,
        });
    }
}
