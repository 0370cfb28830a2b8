namespace PsTraining.Sim.Cluster;

/// <summary>One learner as the launcher sees it, from the JSON lines the learner prints: pushes, staleness, loss, accuracy.</summary>
internal sealed class LearnerProgress(string name, decimal stepTime)
{
    private readonly Queue<double> _recent = new(); // push times of the last few seconds, for gradients/s

    public string Name { get; } = name;

    public decimal StepTime { get; } = stepTime;

    public long Steps { get; private set; }

    public double LastTime { get; private set; }

    public double StalenessSum { get; private set; }

    public ulong MaxStaleness { get; private set; }

    public float Loss { get; private set; } = float.NaN;

    public double? Accuracy { get; private set; }

    public string State { get; set; } = "starting";

    /// <summary>The learner's /metrics, once it has said where.</summary>
    public string? MetricsUrl { get; set; }

    public double MeanStaleness => Steps == 0 ? 0 : StalenessSum / Steps;

    /// <summary>Gradients per second over the last 5 seconds of its pushes.</summary>
    public double Rate => _recent.Count < 2 ? 0 : (_recent.Count - 1) / Math.Max(1e-9, _recent.Last() - _recent.Peek());

    public void Pushed(double time, ulong staleness, float loss)
    {
        Steps++;
        LastTime = time;
        StalenessSum += staleness;
        MaxStaleness = Math.Max(MaxStaleness, staleness);
        Loss = loss;
        State = "training";
        _recent.Enqueue(time);
        while (_recent.Count > 2 && time - _recent.Peek() > 5)
        {
            _recent.Dequeue();
        }
    }

    public void Evaluated(double accuracy) => Accuracy = accuracy;
}
