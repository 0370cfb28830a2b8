using System.CommandLine;
using System.Globalization;
using PsTraining.Models.Zoo;
using Spectre.Console;

namespace PsTraining.Sim.Models;

/// <summary><c>models list</c> and <c>models summary NAME [--in-channels C]</c>.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var models = new Command("models", "List the models, or print one model's per-layer table.");

        var list = new Command("list", "List every model of the registry.");
        list.SetAction(_ =>
        {
            var table = new Table().AddColumn("name").AddColumn("description");
            foreach (var spec in ModelRegistry.All)
            {
                table.AddRow(Markup.Escape(spec.Name), Markup.Escape(spec.Description));
            }

            AnsiConsole.Write(table);
            return 0;
        });

        var name = new Argument<string>("name") { Description = $"model name: {string.Join(", ", ModelRegistry.Names)}" };
        var inChannels = new Option<long?>("--in-channels") { Description = "input channels (models that accept several)" };
        inChannels.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is < 1)
            {
                r.AddError("--in-channels must be >= 1");
            }
        });
        var summary = new Command("summary", "Per-layer input and output shapes, weights, parameters and multiply-accumulates.") { name, inChannels };
        summary.SetAction(parse => Summary(parse.GetValue(name)!, parse.GetValue(inChannels)));

        models.Subcommands.Add(list);
        models.Subcommands.Add(summary);
        return models;
    }

    private static int Summary(string name, long? inChannels)
    {
        ModelSpec spec;
        try
        {
            spec = ModelRegistry.Get(name);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var options = new ModelOptions { InChannels = inChannels };
        using var model = spec.Create(options);
        var sampleShape = spec.SampleShape(options);
        var summary = ModelSummary.Of(model, sampleShape);

        var table = new Table().Title(Markup.Escape($"{spec.Name}: input [{Shape(sampleShape)}], batch 1"));
        foreach (var column in new[] { "layer", "type", "input", "output", "weight", "parameters", "MACs" })
        {
            table.AddColumn(new TableColumn(column) { Alignment = column is "parameters" or "MACs" ? Justify.Right : Justify.Left });
        }

        foreach (var l in summary.Layers)
        {
            table.AddRow(
                Markup.Escape(l.Name), l.Type, Shape(l.InputShape), Shape(l.OutputShape), l.WeightShape is null ? "-" : Shape(l.WeightShape),
                Number(l.Parameters), Number(l.MultiplyAccumulates));
        }

        AnsiConsole.Write(table);
        Console.WriteLine($"total parameters: {Number(summary.TotalParameters)}");
        Console.WriteLine($"weights without bias: {Number(summary.TotalWeightsWithoutBias)}");
        Console.WriteLine($"multiply-accumulates per sample: {Number(summary.TotalMultiplyAccumulates)}");
        return 0;
    }

    private static string Shape(long[] shape) => string.Join("×", shape);

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
