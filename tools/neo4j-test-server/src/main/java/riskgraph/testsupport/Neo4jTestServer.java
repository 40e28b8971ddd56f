package riskgraph.testsupport;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;
import org.neo4j.io.ByteUnit;

/**
 * Throw-away Neo4j Community server for tests.
 *
 * <p>Starts an in-process Neo4j (neo4j-harness) with Bolt on 127.0.0.1 and an
 * OS-assigned free port, HTTP/HTTPS off, auth off, data in a fresh temporary
 * directory. When Bolt is ready it prints exactly one line
 * {@code BOLT_URI=bolt://127.0.0.1:<port>} to stdout; everything else goes to
 * stderr. It stops when stdin reaches EOF (unless {@code --ignore-stdin}) or on
 * SIGTERM/SIGINT, and removes the temporary directory.
 */
public final class Neo4jTestServer {
    private static final Object LOCK = new Object();
    private static Neo4j neo4j;
    private static Path workDir;
    private static boolean starting;
    private static boolean stopped;

    private Neo4jTestServer() {
    }

    public static void main(String[] args) throws Exception {
        boolean watchStdin = true;
        for (String arg : args) {
            if (arg.equals("--ignore-stdin")) {
                watchStdin = false;
            } else {
                System.err.println("usage: Neo4jTestServer [--ignore-stdin]");
                System.exit(2);
            }
        }

        // Keep stdout for the single BOLT_URI line; route everything else to stderr.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);

        Runtime.getRuntime().addShutdownHook(new Thread(Neo4jTestServer::stop, "neo4j-test-server-shutdown"));

        long t0 = System.nanoTime();
        synchronized (LOCK) {
            if (stopped) {
                return;
            }
            starting = true;
        }
        Neo4j server = null;
        try {
            workDir = Files.createTempDirectory("riskgraph-neo4j-");
            server = Neo4jBuilders.newInProcessBuilder(workDir)
                    .withDisabledServer() // no HTTP/HTTPS
                    .withConfig(HttpConnector.enabled, false)
                    .withConfig(HttpsConnector.enabled, false)
                    .withConfig(BoltConnector.enabled, true)
                    .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0))
                    .withConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .withConfig(GraphDatabaseSettings.auth_enabled, false)
                    .withConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(32))
                    .withConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .withConfig(GraphDatabaseSettings.udc_enabled, false)
                    // Bolt's Netty loops otherwise idle 5 s each (boss + workers) on shutdown.
                    .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                    .build();
        } catch (Throwable e) {
            System.err.println("neo4j-test-server: failed to start Neo4j");
            e.printStackTrace(System.err);
        } finally {
            if (workDir != null) {
                removeLogConfigFiles(workDir);
            }
            synchronized (LOCK) {
                neo4j = server;
                starting = false;
                LOCK.notifyAll();
            }
        }
        if (server == null) {
            stop();
            System.exit(1);
        }
        synchronized (LOCK) {
            if (stopped) {
                return; // a signal arrived during start-up; the shutdown hook closes the server
            }
        }

        String uri = "bolt://127.0.0.1:" + server.boltURI().getPort();
        System.err.printf("neo4j-test-server: Neo4j ready in %.1f s at %s (data in %s)%n",
                (System.nanoTime() - t0) / 1e9, uri, workDir);
        out.println("BOLT_URI=" + uri);
        out.flush();

        if (!watchStdin) {
            Thread.currentThread().join(); // until SIGTERM/SIGINT
        }
        drain(System.in);
        System.err.println("neo4j-test-server: stdin closed, shutting down");
        stop();
        System.exit(0);
    }

    /**
     * Neo4j writes a log4j-*.xml pointing at its log file into java.io.tmpdir and
     * never deletes it; remove the one that belongs to this server.
     */
    private static void removeLogConfigFiles(Path dir) {
        Path tmp = dir.getParent();
        String marker = dir.toString() + dir.getFileSystem().getSeparator();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp, "log4j-*.xml")) {
            for (Path file : files) {
                try {
                    if (Files.size(file) < 65536 && Files.readString(file).contains(marker)) {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException e) {
                    // not ours or already gone
                }
            }
        } catch (IOException e) {
            // best effort
        }
    }

    private static void drain(InputStream in) {
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // ignore input; we only wait for EOF
            }
        } catch (IOException e) {
            // treat a broken stdin like EOF
        }
    }

    /** Idempotent: shuts the database down and removes the temporary directory. */
    private static void stop() {
        synchronized (LOCK) {
            if (stopped) {
                return;
            }
            stopped = true;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (starting && System.nanoTime() < deadline) {
                try {
                    LOCK.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            closeQuietly();
        }
    }

    private static void closeQuietly() {
        if (neo4j != null) {
            try {
                neo4j.close();
            } catch (Throwable e) {
                System.err.println("neo4j-test-server: error during shutdown: " + e);
            }
            neo4j = null;
        }
        if (workDir != null) {
            deleteRecursively(workDir);
            workDir = null;
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("neo4j-test-server: could not delete " + p + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("neo4j-test-server: could not delete " + dir + ": " + e);
        }
    }
}
