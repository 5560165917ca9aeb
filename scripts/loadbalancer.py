"""A load balancer in front of several app servers on loopback, for `make soak NODES=2`.

HAProxy from Debian's package (`apt-get install haproxy`), with a configuration written into a
temporary directory at run time: round robin over the nodes, an active health check on
`/health/?only=database` every second (a node is out after 2 failed probes, back after 2 good
ones; a probe fails when the connection is refused or no answer comes within 10 s), and a request
whose connection to a node fails is sent to another node (`retries` with `option redispatch 1`).
Only connection failures are retried: a request a node received and then died with (SIGKILL) is
not replayed, since a POST may not be safe to send twice; the shopper gets the 502 and reloads.
When every node fails its probe at once (all too busy), the nodes are used anyway as unchecked
backups rather than answering 503. HAProxy appends the client's address to X-Forwarded-For, so the
app servers behind it count one more proxy (TRUSTED_PROXY_COUNT=2 with the TLS proxy in front).
"""

import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

HEALTH_PATH = "/health/?only=database"


def haproxy_config(port, nodes, health_path=HEALTH_PATH, host="127.0.0.1", check_every_ms=1000):
    """The haproxy.cfg text: a frontend on host:port, a backend of `nodes` [(name, port), ...]."""
    if not nodes:
        raise ValueError("a load balancer needs at least one node")
    names = [name for name, _ in nodes]
    if len(set(names)) != len(names):
        raise ValueError(f"node names must differ: {names}")
    if any(not name.isidentifier() for name in names):
        raise ValueError(f"node names must be plain words: {names}")
    lines = [
        "global",
        "    maxconn 4096",
        "",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    timeout http-request 10s",
        "    timeout queue 30s",
        # A connection that cannot be made (the node is dead, not yet marked down) is tried
        # again on another node; a request a node received is never replayed.
        "    retries 3",
        "    option redispatch 1",
        "    retry-on conn-failure",
        "",
        "frontend shop",
        f"    bind {host}:{port}",
        "    option forwardfor",
        "    default_backend nodes",
        "",
        "backend nodes",
        "    balance roundrobin",
        "    option httpchk",
        f"    http-check send meth GET uri {health_path} ver HTTP/1.1 hdr Host {host}",
        "    http-check expect status 200",
        # A busy node answers its probe late (sync workers: the probe waits for a free one): only
        # a probe unanswered for 10 s counts as failed. A dead node refuses the connection at once.
        "    timeout check 10s",
        f"    default-server inter {check_every_ms}ms fall 2 rise 2",
    ]
    lines += [f"    server {name} {host}:{node_port} check" for name, node_port in nodes]
    # When every node fails its probe (all of them too busy to answer within 10 s), a slow answer
    # beats a 503: the same nodes again as unchecked backups, used only then; a dead one refuses
    # the connection and the request goes to the next (redispatch).
    lines.append("    option allbackups")
    lines += [f"    server {name}_last_resort {host}:{node_port} backup" for name, node_port in nodes]
    return "\n".join(lines) + "\n"


class LoadBalancer:
    """haproxy in the foreground (-db), its configuration in a temporary directory."""

    def __init__(self, port, nodes, health_path=HEALTH_PATH):
        self.binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(self.binary).exists():
            raise SystemExit("NODES=2 needs HAProxy: apt-get install -y haproxy")
        self.port, self.nodes = port, nodes
        self.directory = tempfile.mkdtemp(prefix="qlclaw-lb-")
        self.config = Path(self.directory) / "haproxy.cfg"
        self.config.write_text(haproxy_config(port, nodes, health_path))
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, log=None):
        check = subprocess.run([self.binary, "-c", "-q", "-f", str(self.config)], capture_output=True, text=True)
        if check.returncode:
            raise SystemExit(f"haproxy refused its configuration:\n{check.stderr}\n{self.config.read_text()}")
        self.process = subprocess.Popen(
            [self.binary, "-db", "-f", str(self.config)], stdout=log or subprocess.DEVNULL,
            stderr=log or subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + HEALTH_PATH, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"haproxy ended ({self.process.returncode}) at start")
            time.sleep(0.3)
        raise SystemExit(f"The load balancer did not answer on {self.url} within 30 s")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
