package org.featviz.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.featviz.Model;

/**
 * Runs a sweep's chunks on its workers' models, one thread per worker (one model, so one device,
 * context and render plan, each), every worker taking the next chunk from one shared queue: a fast
 * device or a chunk of a cheap layer simply comes back for more sooner. The calling thread alone
 * writes the journal: workers hand it each finished chunk's rows. After a worker fails no worker
 * takes another chunk; the chunks in flight finish and are written, and the first failure is thrown
 * as it was, so that a rerun resumes with every unit done exactly once. One worker runs in the
 * calling thread, as a sweep always did.
 *
 * @param <T> a chunk
 */
final class ChunkWorkers<T> {
  /** What a worker does with one chunk on its model: render it, write its images, give its rows. */
  interface Job<T> {
    List<UnitResult> run(Model model, T chunk, IntConsumer onStep);
  }

  /** How a chunk appears to the listener. */
  interface Chunks<T> {
    int units(T chunk);

    /** "relu1 units 4-7", for the message about a failed worker. */
    String describe(T chunk);
  }

  /** A worker's news for the journal writer: rows of a finished chunk, a failure, or its end. */
  private record Event(int worker, List<UnitResult> rows, int units, Throwable failure) {}

  private final List<Model> models;
  private final List<T> chunks;
  private final Chunks<T> shape;
  private final Job<T> job;
  private final int steps;
  private final Sweep.Listener listener;
  private final AtomicBoolean stop = new AtomicBoolean();

  /** The next chunk to take; guarded by this. */
  private int next;

  /** Unit steps of finished chunks, and of each worker's chunk in flight; guarded by listener. */
  private long doneSteps;

  private final long[] inFlight;

  /**
   * @param listener told of progress (from worker threads, one call at a time) and of each chunk
   *     written (from the calling thread)
   */
  ChunkWorkers(
      List<Model> models,
      List<T> chunks,
      Chunks<T> shape,
      Job<T> job,
      int steps,
      Sweep.Listener listener) {
    this.models = models;
    this.chunks = chunks;
    this.shape = shape;
    this.job = job;
    this.steps = steps;
    this.listener = listener;
    this.inFlight = new long[models.size()];
  }

  /** Runs every chunk, handing each one's rows to {@code journal} in the calling thread. */
  void run(Consumer<List<UnitResult>> journal) {
    if (models.size() == 1) {
      work(0, e -> written(journal, e)); // a failure propagates from here as it is
      return;
    }
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < models.size(); w++) {
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                try {
                  work(worker, events::add);
                } catch (Throwable e) {
                  events.add(new Event(worker, null, 0, e));
                } finally {
                  events.add(new Event(worker, null, 0, null)); // this worker ends
                }
              },
              "featviz-sweep-worker-" + worker);
      t.setDaemon(true); // a process that is told to end does not wait for a chunk
      threads.add(t);
    }
    threads.forEach(Thread::start);
    Throwable failure = null;
    int running = threads.size();
    try {
      while (running > 0) {
        Event e = take(events);
        if (e.failure() != null) {
          stop.set(true);
          if (failure == null) failure = e.failure();
          else
            (failure instanceof JournalFailure j ? j.getCause() : failure)
                .addSuppressed(e.failure());
        } else if (e.rows() != null) {
          if (!(failure instanceof JournalFailure)) { // after a worker's failure, still written
            try {
              written(journal, e);
            } catch (RuntimeException | Error j) {
              stop.set(true);
              JournalFailure wrapped = new JournalFailure(j);
              if (failure != null) j.addSuppressed(failure);
              failure = wrapped;
            }
          }
        } else {
          running--;
        }
      }
    } finally {
      stop.set(true);
      for (Thread t : threads) join(t);
    }
    if (failure instanceof JournalFailure j) failure = j.getCause();
    if (failure instanceof RuntimeException r) throw r;
    if (failure instanceof Error err) throw err;
    if (failure != null) throw new IllegalStateException(failure);
  }

  /** The journal could not be written: nothing more is, and this failure is the one thrown. */
  private static final class JournalFailure extends RuntimeException {
    JournalFailure(Throwable cause) {
      super(cause);
    }
  }

  private void written(Consumer<List<UnitResult>> journal, Event e) {
    journal.accept(e.rows());
    synchronized (listener) {
      listener.chunkDone(e.units());
    }
  }

  /** One worker: chunk after chunk from the shared queue until none is left or the sweep stops. */
  private void work(int worker, Consumer<Event> out) {
    Model model = models.get(worker);
    for (T chunk; (chunk = take()) != null; ) {
      int units = shape.units(chunk);
      List<UnitResult> rows;
      try {
        rows =
            job.run(
                model,
                chunk,
                step -> {
                  synchronized (listener) {
                    inFlight[worker] = (long) step * units;
                    listener.progress(doneSteps + inFlightSum());
                  }
                });
      } catch (RuntimeException | Error e) {
        stop.set(true);
        if (models.size() > 1) {
          synchronized (listener) {
            listener.workerFailed(
                "worker " + (worker + 1) + " of " + models.size() + " (" + model.backend() + ")",
                shape.describe(chunk));
          }
        }
        throw e;
      }
      synchronized (listener) {
        inFlight[worker] = 0;
        doneSteps += (long) units * steps;
        listener.progress(doneSteps + inFlightSum());
      }
      out.accept(new Event(worker, rows, units, null));
    }
  }

  private long inFlightSum() {
    long sum = 0;
    for (long s : inFlight) sum += s;
    return sum;
  }

  /** The next chunk, or null where none is left or the sweep stops. */
  private synchronized T take() {
    if (stop.get() || next >= chunks.size()) return null;
    return chunks.get(next++);
  }

  private static Event take(BlockingQueue<Event> events) {
    try {
      return events.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the sweep's workers ran", e);
    }
  }

  /** Waits for a worker to finish its chunk in flight (it takes no other: the sweep stopped). */
  private static void join(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }
}
