using PsTraining.TestSupport;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PsTraining.ParameterServer.Core;
using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.ParameterServer.Hosting;
using PsTraining.ParameterServer.Service;
using PsTraining.Protocol.Health.V1;
using PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Tests.Transport;

/// <summary>TLS when a certificate is configured: HTTP/2 negotiated by ALPN, and a client that does not trust the certificate is refused.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-tls").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Calls_go_over_tls_to_a_client_that_trusts_the_certificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = Path.Combine(_dir, "server.pfx");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, "pw"));

        using var core = CoreFactory.Create();
        await using var host = await ParameterServerHost.StartAsync(core, new ServerHostOptions { Token = new BearerToken("tls-token"), CertificatePath = pfx, CertificatePassword = "pw" });
        var address = new Uri($"https://127.0.0.1:{host.Port}");
        var thumbprint = certificate.Thumbprint;

        using var client = new ParameterServerClient(address, new ParameterServerClientOptions
        {
            Token = "tls-token",
            ServerCertificateValidation = (_, cert, _, _) => cert is X509Certificate2 c && c.Thumbprint == thumbprint,
        });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await client.CheckHealthAsync()).Status);
        var id = (await client.RegisterAsync(new RegisterRequest { Name = "tls" })).LearnerId;
        Assert.Equal(1UL, (await client.PushAsync(ServerFixture.Push(id, 1, 0))).Version);

        using var untrusting = new ParameterServerClient(address);
        var e = await Assert.ThrowsAsync<RpcException>(() => untrusting.CheckHealthAsync());
        // Grpc.Net.Client reports a refused certificate as INTERNAL with the TLS error (our own client said UNAVAILABLE).
        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Contains("The remote certificate is invalid", e.Status.Detail);

        using var plaintext = new ParameterServerClient(new Uri($"http://127.0.0.1:{host.Port}"));
        await Assert.ThrowsAsync<RpcException>(() => plaintext.CheckHealthAsync(timeout: TimeSpan.FromSeconds(5)));
        Assert.Equal(1UL, core.Version);
    }
}
