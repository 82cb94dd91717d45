namespace MedAnomaly.Methods;

/// <summary>A detector's configuration record: defaults follow the method's paper, and every field is checked before a
/// network is built or anything is recorded.</summary>
public interface IDetectorConfig
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range or inconsistent.</summary>
    void Validate();
}
