#!/usr/bin/env python3
"""Benchmark (not a test): how fast the provider starts and how much memory
it uses. For N runs: exec to handshake line, first GetProviderSchema, and
the process's memory after it, read from /proc/<pid>/status: RssAnon (its
own memory) and VmRSS (including the shared libraries' pages). ru_maxrss is
not used: for a child of a large process it includes the pre-exec image.
Prints medians and writes them to <build>/bench.json."""
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import test_plugin_runtime as rt  # noqa: E402


def once(binary, cert, key):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update({"TF_PLUGIN_MAGIC_COOKIE": rt.COOKIE, "PLUGIN_PROTOCOL_VERSIONS": "5,6",
                "PLUGIN_CLIENT_CERT": cert.decode()})
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    t_handshake = time.perf_counter() - t0
    p = rt.Plugin.__new__(rt.Plugin)
    p.proc, p.line = proc, line.strip()
    _, _, _, p.address, _, cert_b64 = p.line.split("|")
    import base64
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    der = base64.b64decode(cert_b64 + "=" * (-len(cert_b64) % 4))
    p.server_pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
    with p.channel(cert, key) as ch:
        t1 = time.perf_counter()
        rt.unary(ch, "/tfplugin6.Provider/GetProviderSchema")
        t_schema = time.perf_counter() - t1
        mem = {}
        for line in open(f"/proc/{proc.pid}/status"):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon"):
                mem[k] = int(v.split()[0]) / 1024.0
        rt.unary(ch, "/plugin.GRPCController/Shutdown")
    proc.wait()
    return t_handshake * 1e3, t_schema * 1e3, mem["RssAnon"], mem["VmRSS"]


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    runs = int(os.environ.get("BENCH_RUNS", "30"))
    binary = os.path.join(build, "terraform-provider-costops")
    cert, key = rt.make_cert()
    rows = [once(binary, cert, key) for _ in range(runs)]
    res = {
        "runs": runs,
        "handshake_ms_median": round(statistics.median(r[0] for r in rows), 2),
        "get_provider_schema_ms_median": round(statistics.median(r[1] for r in rows), 2),
        "rss_anon_mib_median": round(statistics.median(r[2] for r in rows), 2),
        "vm_rss_mib_median": round(statistics.median(r[3] for r in rows), 2),
        "binary_bytes": os.path.getsize(binary),
    }
    print(json.dumps(res, indent=2))
    with open(os.path.join(build, "bench.json"), "w") as f:
        json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
