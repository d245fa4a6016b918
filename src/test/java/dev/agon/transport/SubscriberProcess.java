package dev.agon.transport;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM's subscriber on an external driver's IPC stream that never polls (a process that
 * hangs, then is killed): args aeron.dir, stream id. Prints "subscribed" once registered.
 */
public final class SubscriberProcess {
  public static void main(String[] args) {
    TransportSettings s =
        TransportSettings.defaults()
            .withDriver(TransportSettings.DriverMode.EXTERNAL, Path.of(args[0]));
    Transport t = Transport.start(s);
    t.subscriber(Endpoint.ipc(), Integer.parseInt(args[1]), 5, Polling.token(4), m -> {});
    System.out.println("subscribed");
    System.out.flush();
    while (true) {
      LockSupport.parkNanos(1_000_000_000L); // idles until killed
    }
  }
}
