using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Tests;

/// <summary>Range-sharding the flat parameter vector over N server processes (--partition K/N).</summary>
public sealed class PartitionTests
{
    private static readonly ParameterLayout Model = new([("conv.weight", [4, 1, 3, 3]), ("conv.bias", [4]), ("fc.weight", [10, 36]), ("fc.bias", [10])]);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(410)]
    public void The_partitions_cover_every_float_once_in_order_and_evenly(int count)
    {
        var parts = Enumerable.Range(0, count).Select(k => ParameterPartition.Of(Model, k, count)).ToList();
        Assert.Equal(0, parts[0].Start);
        for (var k = 1; k < count; k++)
        {
            Assert.Equal(parts[k - 1].Start + parts[k - 1].Length, parts[k].Start);
        }

        Assert.Equal(Model.TotalLength, parts.Sum(p => p.Length));
        Assert.True(parts.Max(p => p.Length) - parts.Min(p => p.Length) <= 1);
        Assert.All(parts, p => Assert.Equal(p.Length, p.Layout.TotalLength));

        // Reassembling the pieces tensor by tensor gives back every tensor's length.
        var lengths = parts.SelectMany(p => p.Layout.Tensors).GroupBy(t => t.Name.Split('[')[0]).ToDictionary(g => g.Key, g => g.Sum(t => t.Length));
        Assert.Equal(Model.Tensors.ToDictionary(t => t.Name, t => t.Length), lengths);
    }

    [Fact]
    public void One_partition_is_the_model_unchanged_and_a_cut_tensor_becomes_a_named_flat_piece()
    {
        var whole = ParameterPartition.Of(Model, 0, 1);
        Assert.Equal(Model.Tensors.Select(t => (t.Name, t.ShapeText)), whole.Layout.Tensors.Select(t => (t.Name, t.ShapeText)));

        // 36 + 4 + 360 + 10 = 410 floats; two halves of 205: fc.weight (offset 40) is cut at 205 − 40 = 165.
        var first = ParameterPartition.Of(Model, 0, 2);
        var second = ParameterPartition.Of(Model, 1, 2);
        Assert.Equal(["conv.weight", "conv.bias", "fc.weight[0:165]"], first.Layout.Tensors.Select(t => t.Name));
        Assert.Equal(["fc.weight[165:360]", "fc.bias"], second.Layout.Tensors.Select(t => t.Name));
        Assert.Equal("[195]", second.Layout.Tensors[0].ShapeText);
        Assert.Equal("[10]", second.Layout.Tensors[1].ShapeText);
        Assert.Equal("partition 1/2 (floats 205..409)", second.ToString());
    }

    [Theory]
    [InlineData("1/1")]
    [InlineData("0/0")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("0/2/3")]
    public void A_malformed_partition_is_refused(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => ParameterPartition.Parse(text));
        Assert.Contains($"expected K/N with 0 <= K < N (partition K of N server processes), not '{text}'", e.Message);
    }

    [Fact]
    public void More_partitions_than_floats_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => ParameterPartition.Of(Model, 0, 411));
        Assert.Equal("the model has 410 floats: it cannot be split over 411 servers", e.Message);
        Assert.Equal((3, 4), ParameterPartition.Parse("3/4"));
    }
}
