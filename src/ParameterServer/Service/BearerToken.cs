using System.Security.Cryptography;
using System.Text;

namespace PsTraining.ParameterServer.Service;

/// <summary>
/// The shared secret a caller must present as <c>authorization: Bearer &lt;token&gt;</c>. Compared in constant time; a
/// refusal says nothing that would help a guesser.
/// </summary>
public sealed class BearerToken
{
    private readonly byte[] _expected;

    public BearerToken(string token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ArgumentException("the auth token is empty");
        }

        _expected = Encoding.UTF8.GetBytes("Bearer " + token.Trim());
    }

    /// <summary>The token from <paramref name="value"/>, or from the file <paramref name="file"/> (a Kubernetes Secret), or none.</summary>
    public static BearerToken? From(string? value, string? file)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return new BearerToken(value);
        }

        if (!string.IsNullOrEmpty(file))
        {
            return File.Exists(file)
                ? new BearerToken(File.ReadAllText(file))
                : throw new FileNotFoundException($"the auth token file '{file}' does not exist", file);
        }

        return null;
    }

    public bool Matches(string? authorizationHeader) =>
        authorizationHeader is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorizationHeader), _expected);
}
