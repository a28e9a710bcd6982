"""The plugin runtime on its own: the go-plugin handshake, AutoMTLS (a client
without the expected certificate is refused), UNIMPLEMENTED at once for
methods we do not serve, concurrent calls, and a clean exit on Shutdown.

These drive the provider binary directly with grpcio, as go-plugin would,
rather than trusting the CLIs to exercise every path."""
import base64
import datetime
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import PROVIDER_BIN

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def make_cert():
    """A client certificate the way go-plugin makes one (P-521, CA, SAN localhost)."""
    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(seconds=30))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, True, False, True, True, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH,
                                                  x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA512()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class Plugin:
    def __init__(self, client_cert_pem):
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
        env.update({"TF_PLUGIN_MAGIC_COOKIE": COOKIE, "PLUGIN_PROTOCOL_VERSIONS": "5,6",
                    "PLUGIN_CLIENT_CERT": client_cert_pem.decode()})
        cmd = [PROVIDER_BIN]
        if os.environ.get("COSTOPS_VALGRIND"):
            # tests/harness/valgrind.sh: memcheck the provider itself.
            cmd = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                   "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite"] + cmd
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.line = self.proc.stdout.readline().strip()
        core, app, network, address, proto, cert_b64 = self.line.split("|")
        assert (core, app, network, proto) == ("1", "6", "unix", "grpc")
        assert "=" not in cert_b64  # go-plugin decodes RawStdEncoding
        der = base64.b64decode(cert_b64 + "=" * (-len(cert_b64) % 4))
        self.server_cert = x509.load_der_x509_certificate(der)
        self.server_pem = self.server_cert.public_bytes(serialization.Encoding.PEM)
        self.address = address

    def channel(self, cert=None, key=None):
        creds = grpc.ssl_channel_credentials(root_certificates=self.server_pem,
                                             private_key=key, certificate_chain=cert)
        return grpc.secure_channel(f"unix:{self.address}", creds,
                                   options=[("grpc.ssl_target_name_override", "localhost")])

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def unary(ch, method, timeout=10):
    return ch.unary_unary(method)(b"", timeout=timeout)


@pytest.fixture
def plugin():
    cert, key = make_cert()
    p = Plugin(cert)
    p.client = (cert, key)
    yield p
    p.close()


def test_run_by_hand_refuses_with_a_message():
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    proc = subprocess.run([PROVIDER_BIN], env=env, capture_output=True, text=True, timeout=10)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "This binary is a plugin" in proc.stderr


def test_server_certificate_is_what_go_plugin_expects(plugin):
    c = plugin.server_cert
    san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert c.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert c.serial_number > 0
    assert isinstance(c.public_key(), ec.EllipticCurvePublicKey)
    assert c.public_key().curve.name == "secp256r1"


def test_client_with_the_expected_certificate_is_served(plugin):
    cert, key = plugin.client
    with plugin.channel(cert, key) as ch:
        schema = unary(ch, "/tfplugin6.Provider/GetProviderSchema", timeout=30)
        assert b"costops_log_retention" in schema
        unary(ch, "/plugin.GRPCController/Shutdown", timeout=30)
    rc = plugin.proc.wait(timeout=30)
    assert rc == 0, plugin.proc.stderr.read()


def test_client_without_a_certificate_is_refused(plugin):
    with plugin.channel() as ch:
        with pytest.raises(grpc.RpcError) as e:
            unary(ch, "/tfplugin6.Provider/GetProviderSchema", timeout=5)
    assert e.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def test_client_with_another_certificate_is_refused(plugin):
    other_cert, other_key = make_cert()
    with plugin.channel(other_cert, other_key) as ch:
        with pytest.raises(grpc.RpcError) as e:
            unary(ch, "/tfplugin6.Provider/GetProviderSchema", timeout=5)
    assert e.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def test_unserved_methods_are_unimplemented_at_once(plugin):
    cert, key = plugin.client
    with plugin.channel(cert, key) as ch:
        for method in ("/tfplugin6.Provider/GetResourceIdentitySchemas",
                       "/tfplugin6.Provider/GetFunctions",
                       "/tfplugin6.Provider/MoveResourceState",
                       "/plugin.GRPCBroker/StartStream",
                       "/grpc.health.v1.Health/Check"):
            t0 = time.monotonic()
            with pytest.raises(grpc.RpcError) as e:
                unary(ch, method, timeout=10)
            assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED, method
            assert time.monotonic() - t0 < 2, method


def test_concurrent_calls(plugin):
    cert, key = plugin.client
    with plugin.channel(cert, key) as ch:
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda _: unary(ch, "/tfplugin6.Provider/GetProviderSchema"),
                                    range(48)))
    assert len(set(results)) == 1 and results[0]


def test_shutdown_exits_cleanly(plugin):
    cert, key = plugin.client
    with plugin.channel(cert, key) as ch:
        unary(ch, "/plugin.GRPCController/Shutdown")
    rc = plugin.proc.wait(timeout=20 if os.environ.get("COSTOPS_VALGRIND") else 2)
    assert rc == 0, plugin.proc.stderr.read()
    assert not os.path.exists(plugin.address)


def test_sigint_is_ignored(plugin):
    cert, key = plugin.client
    plugin.proc.send_signal(2)
    time.sleep(0.2)
    assert plugin.proc.poll() is None
    with plugin.channel(cert, key) as ch:
        assert unary(ch, "/tfplugin6.Provider/GetProviderSchema")
