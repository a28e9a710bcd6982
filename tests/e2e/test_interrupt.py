"""Ctrl-C during a long wait, as a user at a terminal does it: SIGINT to the
CLI's whole process group. The provider ignores the signal itself, gets
StopProvider from the CLI, cancels its waits and AWS calls at once, and the
state keeps the node group that exists in AWS (tainted), so nothing is lost."""
import os
import signal
import subprocess
import time

from test_spot import CLUSTER, DEFAULT_TAGS, NODES, describe_ng, make_cluster, ng_hcl


def test_interrupt_cancels_a_wait_and_keeps_track(cli, aws, tmp_path):
    subnets = make_cluster(aws)
    # The emulator answers CREATING for as long as this tag asks (a test
    # hook of tests/harness/moto_ext/eks_nodegroup.py): far longer than
    # this test waits.
    cli.write(ng_hcl(subnets, tags='{ "costops-test:create-polls" = "100000" }'), DEFAULT_TAGS)
    cli.init()
    env = dict(cli.env, COSTOPS_POLL_INTERVAL_MS="200")
    log = tmp_path / "tf.log"
    proc = subprocess.Popen([cli.path, "apply", "-auto-approve", "-input=false", "-no-color"],
                            cwd=cli.workdir, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and "still waiting for node group" in log.read_text():
            break
        time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("the apply never reached the wait: " + proc.communicate()[0])
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError("the CLI did not stop within 30 s of Ctrl-C: the provider "
                             "kept waiting after StopProvider\n" + out)
    elapsed = time.monotonic() - t0
    assert proc.returncode != 0, out
    assert elapsed < 15, f"the CLI took {elapsed:.1f} s to stop:\n{out}"
    text = log.read_text()
    assert "StopProvider: cancelling in-flight AWS calls" in text
    # The node group exists in AWS, and the state says so (tainted).
    assert describe_ng(aws)["nodegroupName"] == NODES
    listed = cli.run("state", "list").out.split()
    assert "costops_spot_node_group.ng" in listed, out
    shown = cli.run("state", "show", "-no-color", "costops_spot_node_group.ng").out
    assert CLUSTER in shown and "tainted" in shown
