using System.CommandLine;
using PsTraining.Hosting;
using System.Globalization;
using PsTraining.Models.Zoo;
using Spectre.Console;

namespace PsTraining.Sim.ModelCommands;

/// <summary><c>models list</c>, <c>models summary NAME [--in-channels C]</c> and <c>models init --model NAME --seed S --out FILE</c>.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var models = new Command("models", "List the models, print one model's per-layer table, or write its initial weights for the parameter server.");

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

        var summary = CommandLineOptions.Command<ModelSummaryOptions>("summary", "Per-layer input and output shapes, weights, parameters and multiply-accumulates.",
            o => Summary(o.Name, o.InChannels));
        var init = CommandLineOptions.Command<ModelInitOptions>("init", "Write a model's seeded initial parameters to a safetensors file: the parameter server's --initial-weights.",
            o => Init(o.Model, o.Seed, o.Out));

        models.Subcommands.Add(list);
        models.Subcommands.Add(summary);
        models.Subcommands.Add(init);
        return models;
    }

    private static int Init(string model, int seed, string path)
    {
        try
        {
            Console.WriteLine(InitialWeights.WriteAndDescribe(model, seed, path));
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
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
