package org.featviz.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.featviz.ir.ModelException;

/**
 * One sweep at a time in an output folder: an exclusive lock on {@value #FILE} there, held while
 * the sweep runs. The operating system releases it when the process ends, however it ends, so a
 * lock file left by a killed sweep blocks nothing; the file itself stays (deleting it could let two
 * sweeps lock two different files). It holds the process id of the sweep that last took it, for the
 * message a second sweep gets.
 */
final class SweepLock implements AutoCloseable {
  static final String FILE = ".featviz-sweep.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private SweepLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code out} (an existing folder) for this sweep, or refuses where another sweep holds it.
   */
  static SweepLock take(Path out) {
    Path file = out.resolve(FILE);
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by another sweep in this JVM
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new ModelException(
            out
                + " is in use by another sweep"
                + (holder.isEmpty() ? "" : " (" + holder + ")")
                + ": wait for it to finish or choose another output folder");
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
          0);
      return new SweepLock(channel, lock);
    } catch (IOException e) {
      try {
        if (channel != null) channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("cannot lock " + file, e);
    }
  }

  /** "pid 1234" as the holder wrote it, or "" where it cannot be read yet. */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer b = ByteBuffer.allocate(64);
      int n = channel.read(b, 0);
      String text = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
      return text.matches("pid \\d+") ? text : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
