namespace PsTraining.Experiments;

/// <summary>One reproducible experiment of the suite: it writes its data, figures and key numbers through the context.</summary>
public interface IExperiment
{
    /// <summary>The name on the command line (<c>experiment run NAME</c>).</summary>
    public string Name { get; }

    /// <summary>One line for <c>experiment list</c>.</summary>
    public string Description { get; }

    public void Run(ExperimentContext context);
}
