package dev.agon.cli;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.cluster.ClusterNode;
import dev.agon.cluster.Ending;
import dev.agon.cluster.NodeSettings;
import dev.agon.cluster.Role;
import dev.agon.cluster.RolesBack;
import dev.agon.config.ClusterConfig;
import dev.agon.config.ConfigProblemException;
import dev.agon.config.DataTransport;
import dev.agon.config.LoadedConfig;
import dev.agon.config.MetricsConfig;
import dev.agon.config.Problem;
import dev.agon.engine.PlayerSites;
import dev.agon.engine.RemoteDiscriminator;
import dev.agon.engine.RemoteGenerator;
import dev.agon.engine.RemoteService;
import dev.agon.engine.TensorStreams;
import dev.agon.engine.TrainRun;
import dev.agon.metrics.NodeMetrics;
import dev.agon.transport.Endpoint;
import dev.agon.transport.Failure;
import dev.agon.transport.FrameHeader;
import dev.agon.transport.StreamObserver;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportCounters;
import dev.agon.transport.TransportException;
import dev.agon.transport.TransportSettings;
import dev.agon.util.DurableFiles;
import dev.agon.web.AgonRoutes;
import dev.agon.web.WebServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agon node}: one process of a run spread over several JVMs. It forms the cluster and keeps
 * its membership (the handshake, every role up, a role gone and back); with {@code --run} the
 * coordinator node trains once every role is up, each role's actor on the node holding it (one host
 * over Aeron IPC; every role on a host of its own if need be with {@code cluster.transport = udp}),
 * the Coordinator, Recorder and checkpoints in the coordinator node's JVM.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Join a run spread over several JVMs as a node hosting the given roles (Pekko Cluster over"
          + " Artery TCP, loopback by default).",
      "In progress: the node joins, is checked against the coordinator (Agon version, config"
          + " hash, roles already taken), and the coordinator reports when every role is up, gone"
          + " or back. With --run the coordinator node then trains as agon train does, each role"
          + " on the node that holds it (tensors over Aeron IPC on one host); with"
          + " cluster.transport = udp and --data-port every role may run on a host of its own"
          + " (an evaluator node there writes its plots under --plots).",
      "Exit status: 0 stopped (SIGTERM; agon ctl stop, also while the run waits for a lost"
          + " node's role), trained (--run) or --exit-when-complete, 1 the"
          + " coordinator went away or this node was removed, 2 bad input (an unknown role, a port"
          + " in use, a data port in use, an unreachable seed, a refused join, a role missing from"
          + " every node, TLS"
          + " files), 3 the run gave up."
    })
final class NodeCommand implements Callable<Integer> {
  /** A test-only stand-in for this build's version, to exercise the version check. */
  static final String VERSION_PROPERTY = "agon.test.version";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConfigOptions config;

  @Option(
      names = "--role",
      required = true,
      paramLabel = "ROLE[,ROLE]",
      description =
          "Roles of this node: coordinator, data-loader, generator, discriminator, evaluator.")
  String roles;

  @Option(
      names = "--seed",
      required = true,
      paramLabel = "HOST:PORT",
      description = "The node to join through (the coordinator's --host:--port, usually).")
  String seed;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description =
          "Address to bind and advertise (default: ${DEFAULT-VALUE}); beyond loopback it needs"
              + " cluster.tls.enabled or cluster.allow-insecure.")
  String host = "127.0.0.1";

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--run",
      paramLabel = "DIR",
      description =
          "Coordinator only: train into this run directory once every role is up (resumes from"
              + " its newest checkpoint, like agon train --run); without it the node only forms"
              + " and watches the cluster.")
  Path runDir;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Serve /metrics (Prometheus) and /-/healthy on metrics.host:PORT; 0 picks a free one"
              + " (the URL is printed); without it the node serves no HTTP. A flag, not"
              + " metrics.port: nodes of one host need different ports but one config hash.")
  String metricsPortText;

  @Option(
      names = "--data-port",
      paramLabel = "PORT",
      description =
          "With cluster.transport = udp: the UDP port this node receives tensors on, at --host"
              + " (its own media driver); 0 picks a free one (default: 0). Other nodes learn it"
              + " when the run starts. Unused with ipc.")
  String dataPortText;

  @Option(
      names = "--plots",
      paramLabel = "DIR",
      description =
          "An evaluator node of its own with cluster.transport = udp: write the sample plots of"
              + " the evaluations during training to DIR/samples/ on this node (created if"
              + " missing), as the coordinator's run directory may be on another host; needed"
              + " there when eval.plots = true. Over ipc, and for the final evaluation (scored by"
              + " the coordinator node), the plots go to the run directory.")
  Path plotsDir;

  /** With udp, where this node receives tensors (--host, --data-port); null otherwise. */
  private Endpoint dataEnd;

  /** The parsed --metrics-port; null without it. */
  private Integer metricsPort;

  @Option(
      names = "--exit-when-complete",
      description = "Coordinator only: exit with status 0 once every role is up.")
  boolean exitWhenComplete;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    // A bind failure is reported below as one error line; Pekko's listener would log it with a
    // stack trace. Touching the logger also initialises SLF4J here, before Pekko's threads log.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.pekko.io.TcpListener"))
        .setLevel(ch.qos.logback.classic.Level.OFF);
    Set<Role> roleSet;
    try {
      roleSet = Role.parseList(roles);
    } catch (IllegalArgumentException e) {
      throw new Main.UserException("--role " + roles + ": " + e.getMessage());
    }
    boolean coordinator = roleSet.contains(Role.COORDINATOR);
    if (!coordinator && (runDir != null || exitWhenComplete)) {
      throw new Main.UserException(
          (runDir != null ? "--run" : "--exit-when-complete")
              + " applies to the coordinator node only");
    }
    String[] seedParts = seedAddress(seed);
    if (port < 0 || port > 65535) {
      throw new Main.UserException("--port " + port + ": must be in [0, 65535]");
    }
    if (runDir != null && Files.exists(runDir) && !Files.isDirectory(runDir)) {
      throw new Main.UserException("--run " + runDir + ": not a directory");
    }
    if (metricsPortText != null) {
      // Parsed here, not by picocli, whose conversion error prints the usage, not an error line.
      try {
        metricsPort = Integer.valueOf(metricsPortText.strip());
      } catch (NumberFormatException e) {
        metricsPort = -1;
      }
      if (metricsPort < 0 || metricsPort > 65535) {
        throw new Main.UserException(
            "--metrics-port " + metricsPortText + ": must be a port number in [0, 65535]");
      }
    }
    int dataPort = dataPort();
    LoadedConfig loaded = config.load();
    ClusterConfig cluster = loaded.config().cluster();
    checkTls(loaded, cluster);
    checkBind(cluster);
    checkPlots(loaded, cluster, roleSet);
    // Bound before the node joins, so a port in use is bad input with nothing started.
    Transport udp = startUdp(cluster, roleSet, dataPort);
    // SIGTERM ends the JVM once the shutdown hooks are done, whether or not this thread got to its
    // finally: the hook closes the driver (deleting its /dev/shm files) either way, once.
    Runnable closeUdp = udp == null ? () -> {} : closeOnce(udp);
    Thread hook = new Thread(closeUdp, "agon-close-media-driver");
    if (udp != null) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      WebServer web = startMetricsServer(loaded.config().metrics());
      try {
        return run(out, roleSet, seedParts, loaded, cluster, web, udp);
      } finally {
        if (web != null) {
          web.close();
        }
      }
    } finally {
      closeUdp.run();
    }
  }

  /**
   * Closes {@code t} on the first call only; a second caller (the finally and the shutdown hook may
   * both call) waits until that close is done, so the JVM does not end halfway through it.
   */
  private static Runnable closeOnce(Transport t) {
    boolean[] done = new boolean[1];
    return () -> {
      synchronized (done) {
        if (!done[0]) {
          done[0] = true;
          t.close();
        }
      }
    };
  }

  /** The parsed --data-port (0 without it); a bad one is bad input. */
  private int dataPort() {
    if (dataPortText == null) {
      return 0;
    }
    int n;
    try {
      n = Integer.parseInt(dataPortText.strip());
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0 || n > 65535) {
      throw new Main.UserException(
          "--data-port " + dataPortText + ": must be a port number in [0, 65535]");
    }
    return n;
  }

  /**
   * {@code --plots}: only on an evaluator node of its own with {@code cluster.transport = udp}
   * (elsewhere the Evaluator plots into the run directory), and needed there when {@code
   * eval.plots} is on; an existing path must be a directory. Checked before anything starts.
   */
  private void checkPlots(LoadedConfig loaded, ClusterConfig cluster, Set<Role> roleSet) {
    boolean udp = cluster.transport() == DataTransport.UDP;
    boolean ownEvaluator = roleSet.contains(Role.EVALUATOR) && !roleSet.contains(Role.COORDINATOR);
    if (plotsDir != null && !(udp && ownEvaluator)) {
      throw new Main.UserException(
          "--plots "
              + plotsDir
              + ": applies to an evaluator node without the coordinator role with"
              + " cluster.transport = udp only (otherwise the plots go to the run directory)");
    }
    if (plotsDir == null && udp && ownEvaluator && loaded.config().eval().plots()) {
      throw new Main.UserException(
          "--role "
              + Role.join(roleSet)
              + ": with cluster.transport = udp and eval.plots = true an evaluator node writes its"
              + " plots on its own host: give --plots DIR (or set eval.plots = false)");
    }
    if (plotsDir != null && Files.exists(plotsDir) && !Files.isDirectory(plotsDir)) {
      throw new Main.UserException("--plots " + plotsDir + ": not a directory");
    }
  }

  /**
   * With {@code cluster.transport = udp} on a node that exchanges tensors (a node with any role but
   * the coordinator's, or the coordinator node with --run): this node's own media driver, with the
   * data port bound now (a subscription on a stream nobody sends to holds the socket for the node's
   * life; each launch's subscriptions share it), so a port in use is bad input before the node
   * joins. Null otherwise. Cost: the driver's one agent thread (backoff idle, about 0.05 cores) and
   * its /dev/shm files.
   */
  private Transport startUdp(ClusterConfig cluster, Set<Role> roleSet, int dataPort) {
    boolean needed =
        cluster.transport() == DataTransport.UDP
            && (roleSet.contains(Role.COORDINATOR) ? runDir != null : !roleSet.isEmpty());
    if (!needed) {
      return null;
    }
    int port = dataPort == 0 ? freeUdpPort() : dataPort;
    Endpoint at = Endpoint.udp(host, port);
    Transport t;
    try {
      t = Transport.start(TransportSettings.defaults());
    } catch (TransportException e) {
      throw new Main.UserException(
          "cluster.transport = udp: cannot start this node's media driver: " + e.getMessage());
    }
    try {
      t.subscriber(at, RESERVED_STREAM, 0, new byte[FrameHeader.TOKEN_BYTES], x -> {});
    } catch (TransportException e) {
      t.close();
      throw new Main.UserException(
          "--data-port "
              + port
              + ": cannot receive tensors on "
              + at
              + " (cluster.transport = udp): "
              + (e.reason() == Failure.PORT_IN_USE ? "port already in use" : e.getMessage()));
    }
    dataEnd = at;
    return t;
  }

  /** The Aeron stream the node's data port is held with; no frame is ever sent to it. */
  private static final int RESERVED_STREAM = 1400;

  /** A UDP port free on --host now (the driver binds it at once after). */
  private int freeUdpPort() {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, 0))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new Main.UserException(
          "--host " + host + ": cannot bind a UDP port for tensors: " + e.getMessage());
    }
  }

  private Integer run(
      PrintWriter out,
      Set<Role> roleSet,
      String[] seedParts,
      LoadedConfig loaded,
      ClusterConfig cluster,
      WebServer web,
      Transport udp)
      throws InterruptedException {
    NodeSettings settings =
        new NodeSettings(
            roleSet,
            host,
            port,
            seedParts[0],
            Integer.parseInt(seedParts[1]),
            cluster,
            version(),
            DurableFiles.sha256(loaded.rendered().getBytes(StandardCharsets.UTF_8)),
            exitWhenComplete);
    // The placement reaches the meters once they exist (they need the node's bound address).
    AtomicReference<NodeMetrics> meters = new AtomicReference<>();
    AtomicReference<Map<String, String>> placed = new AtomicReference<>(Map.of());
    // A paused run waits here for a lost role to come back.
    RolesBack back =
        new RolesBack(
            line -> {
              out.println("agon node: " + line);
              out.flush();
            });
    // The generator node serves the Generator's host once welcomed; the coordinator node embeds
    // the host's media driver (IPC: every node of the run on this host) when it trains.
    Endpoint ends = udp == null ? Endpoint.ipc() : dataEnd;
    Consumer<ActorContext<?>> hosts =
        ctx -> {
          if (settings.coordinator()) {
            return;
          }
          if (roleSet.contains(Role.GENERATOR)) {
            var host =
                ctx.spawn(
                    udp == null
                        ? RemoteGenerator.host(loaded)
                        : RemoteGenerator.host(loaded, udp, dataEnd),
                    "generator-host");
            ctx.getSystem().receptionist().tell(Receptionist.register(RemoteGenerator.HOST, host));
          }
          if (roleSet.contains(Role.DISCRIMINATOR)) {
            var host =
                ctx.spawn(
                    udp == null
                        ? RemoteDiscriminator.host(loaded)
                        : RemoteDiscriminator.host(loaded, udp, dataEnd),
                    "discriminator-host");
            ctx.getSystem()
                .receptionist()
                .tell(Receptionist.register(RemoteDiscriminator.HOST, host));
          }
          if (roleSet.contains(Role.DATA_LOADER)) {
            var host =
                ctx.spawn(RemoteService.dataLoaderHost(loaded, udp, ends), "data-loader-host");
            ctx.getSystem()
                .receptionist()
                .tell(Receptionist.register(RemoteService.DATA_LOADER_HOST, host));
          }
          if (roleSet.contains(Role.EVALUATOR)) {
            var host =
                ctx.spawn(
                    RemoteService.evaluatorHost(
                        loaded, udp, ends, plotsDir == null ? null : plotsDir.toAbsolutePath()),
                    "evaluator-host");
            ctx.getSystem()
                .receptionist()
                .tell(Receptionist.register(RemoteService.EVALUATOR_HOST, host));
          }
        };
    ClusterNode node;
    try {
      node =
          ClusterNode.start(
              settings,
              line -> {
                out.println("agon node: " + line);
                out.flush();
              },
              hosts,
              p -> {
                placed.set(p);
                back.placement(p);
                NodeMetrics m = meters.get();
                if (m != null) {
                  m.placement(p);
                }
              });
    } catch (ClusterNode.StartException e) {
      throw new Main.UserException(e.getMessage());
    }
    try (node;
        NodeMetrics m =
            web == null
                ? null
                : new NodeMetrics(
                    loaded.config().run().name(),
                    loaded.config().run().name(),
                    node.address(),
                    String.join(",", roleSet.stream().map(Role::label).toList()),
                    version(),
                    settings.coordinator() ? Role.labels() : List.of(),
                    node::membersUp)) {
      if (m != null) {
        meters.set(m);
        // Every stream this node opens from now on (its stand-ins' or its player's) is exported.
        Transport.observe(
            new StreamObserver() {
              @Override
              public void publisherOpened(int streamId, TransportCounters c) {
                m.publisher(TensorStreams.name(streamId), c);
              }

              @Override
              public void subscriberOpened(int streamId, TransportCounters c) {
                m.subscriber(TensorStreams.name(streamId), c);
              }
            });
        // Changes from now on reach m from the book's actor; apply the latest one seen so far,
        // again if another came meanwhile (it may have been applied before this one).
        Map<String, String> p;
        do {
          p = placed.get();
          m.placement(p);
        } while (placed.get() != p);
        AgonRoutes.installNode(web, m);
        out.println(
            "agon node: metrics http://"
                + (web.host().contains(":") ? "[" + web.host() + "]" : web.host())
                + ":"
                + web.port()
                + "/metrics");
      }
      out.println(
          "agon node: "
              + Role.join(roleSet)
              + " at "
              + node.address()
              + ", joining through "
              + seed
              + (udp == null
                  ? ""
                  : "; tensors over UDP at " + dataEnd + " (media driver " + udp.aeronDir() + ")")
              + (plotsDir == null
                  ? ""
                  : "; the Evaluator's plots go to "
                      + plotsDir.toAbsolutePath().resolve("samples")));
      out.flush();
      Ending end;
      try {
        CompletableFuture.anyOf(node.ending(), node.complete()).get();
        if (!node.ending().isDone() && node.complete().isDone() && settings.coordinator()) {
          if (runDir == null) {
            out.println(
                "agon node: no --run given: the cluster is formed and watched, nothing trains");
            out.flush();
          } else {
            return train(node, loaded, roleSet, out, udp, back);
          }
        }
        end = node.ending().get();
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
      if (end.status() != 0) {
        spec.commandLine().getErr().println("error: " + end.error());
      }
      return end.status();
    }
  }

  /** The node's HTTP endpoint, or null without --metrics-port; a port in use is bad input. */
  private WebServer startMetricsServer(MetricsConfig metrics) {
    if (metricsPort == null) {
      return null;
    }
    try {
      return WebServer.start(metrics.host(), metricsPort);
    } catch (IOException e) {
      throw new Main.UserException(
          "--metrics-port "
              + metricsPort
              + ": cannot serve metrics on "
              + metrics.host()
              + " (metrics.host) port "
              + metricsPort
              + ": "
              + e.getMessage()
              + (e instanceof java.net.BindException
                  ? " (give each node of a host its own port, 0 for any)"
                  : ""));
    }
  }

  /**
   * The coordinator node's run, once every role is up: the engine of {@code agon train} in its own
   * actor system (a member of this cluster), each role this node lacks on the node holding it,
   * tensors over Aeron IPC through a media driver this node embeds, or with {@code udp} over this
   * node's own driver. A directory with checkpoints resumes from the newest, as agon train does
   * (over IPC each player node loads its state from the same files; over UDP this node sends it).
   */
  private int train(
      ClusterNode node,
      LoadedConfig loaded,
      Set<Role> roleSet,
      PrintWriter out,
      Transport udp,
      RolesBack back)
      throws InterruptedException {
    boolean remoteG = !roleSet.contains(Role.GENERATOR);
    boolean remoteD = !roleSet.contains(Role.DISCRIMINATOR);
    boolean remoteData = !roleSet.contains(Role.DATA_LOADER);
    boolean remoteEval = !roleSet.contains(Role.EVALUATOR);
    // IPC: this node embeds the host's media driver for the run; UDP: the node's own, already up.
    try (Transport ipc =
            udp == null && (remoteG || remoteD || remoteData || remoteEval)
                ? Transport.start(TransportSettings.defaults())
                : null;
        RunLock lock = RunLock.acquire(createDirectory(runDir));
        RunLog log =
            RunLog.attach(
                runDir.resolve("agon.log"),
                "agon node: run "
                    + runDir
                    + ", lock "
                    + lock.file()
                    + ", ND4J variant "
                    + dev.agon.util.Nd4jVariant.requested())) {
      Transport transport = udp != null ? udp : ipc;
      PlayerSites site =
          transport == null
              ? PlayerSites.LOCAL
              : PlayerSites.remote(
                  transport,
                  udp != null ? dataEnd : Endpoint.ipc(),
                  Duration.ofSeconds(loaded.config().cluster().rolesTimeoutSeconds()),
                  line -> {
                    out.println("agon node: " + line);
                    out.flush();
                  },
                  remoteG,
                  remoteD,
                  remoteData,
                  remoteEval ? runDir.toAbsolutePath() : null);
      out.println("agon node: training in " + runDir);
      out.flush();
      TrainRun run =
          TrainRun.start(
              loaded,
              runDir,
              null,
              false,
              false,
              new TrainRun.Deployment(node.engineConfig(), site, back));
      TrainRun.Result r = run.await();
      if (r.finished().failure() != null && run.stopRequested() != null) {
        // Stopped while the run recovered (waiting for a lost node's role): a stop like any
        // other, exit 0; nothing new to save, the newest checkpoint is the last good state.
        out.printf(
            Locale.ROOT,
            "agon node: stopped (%s) after G update %d; the newest checkpoint in %s is the last"
                + " good state%n",
            run.stopRequested(),
            r.finished().gSteps(),
            runDir.resolve("checkpoints"));
        out.flush();
        return 0;
      }
      if (r.finished().failure() != null) {
        spec.commandLine()
            .getErr()
            .println(
                "error: the run gave up after G update "
                    + r.finished().gSteps()
                    + ": "
                    + r.finished().failure());
        return Main.EXIT_GAVE_UP;
      }
      out.printf(
          Locale.ROOT,
          "agon node: finished after %d G updates and %d D updates; checkpoint %s%n",
          r.finished().gSteps(),
          r.finished().dSteps(),
          r.checkpoint());
      out.flush();
      return 0;
    } catch (IOException e) {
      if (e.getCause() instanceof CheckpointException c) {
        // A restart after a failure found no checkpoint it can resume.
        spec.commandLine()
            .getErr()
            .println("error: the run failed and cannot restart: " + c.getMessage());
        return Main.EXIT_GAVE_UP;
      }
      throw new UncheckedIOException(e);
    } catch (CheckpointException e) {
      throw new Main.UserException(e.getMessage());
    }
  }

  private static Path createDirectory(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new Main.UserException("--run " + dir + ": cannot create it: " + e.getMessage());
    }
  }

  /** This build's version, or the test-only stand-in. */
  static String version() {
    String fake = System.getProperty(VERSION_PROPERTY);
    if (fake != null) {
      return fake;
    }
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "(development build)" : v;
  }

  private static String[] seedAddress(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new Main.UserException("--seed " + s + ": must be HOST:PORT");
    }
    String p = s.substring(colon + 1);
    int n;
    try {
      n = Integer.parseInt(p);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > 65535) {
      throw new Main.UserException("--seed " + s + ": port must be in [1, 65535]");
    }
    return new String[] {s.substring(0, colon), p};
  }

  /** Every configured TLS file must be a readable file, checked before anything starts. */
  private static void checkTls(LoadedConfig loaded, ClusterConfig cluster) {
    if (!cluster.tls().enabled()) {
      return;
    }
    List<Problem> problems = new ArrayList<>();
    String[][] files = {
      {"cluster.tls.key-file", cluster.tls().keyFile()},
      {"cluster.tls.cert-file", cluster.tls().certFile()},
      {"cluster.tls.ca-cert-file", cluster.tls().caCertFile()}
    };
    for (String[] f : files) {
      Path p = Path.of(f[1]);
      if (!Files.isRegularFile(p)) {
        problems.add(loaded.problem(f[0], "file not found: " + p));
      } else if (!Files.isReadable(p)) {
        problems.add(loaded.problem(f[0], "file not readable: " + p));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigProblemException(problems);
    }
  }

  /** Beyond loopback, only with TLS or an explicit opt-out. */
  private void checkBind(ClusterConfig cluster) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new Main.UserException("--host " + host + ": unknown host");
    }
    if (!address.isLoopbackAddress() && !cluster.tls().enabled() && !cluster.allowInsecure()) {
      throw new Main.UserException(
          "--host "
              + host
              + " is beyond loopback: set cluster.tls.enabled = true (with its key files), or"
              + " cluster.allow-insecure = true to accept unencrypted, unauthenticated traffic");
    }
  }
}
