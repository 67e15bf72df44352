package org.featviz.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.onnx.TinyModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workers of a sweep: each on its own model and thread, taking chunks from one queue, their
 * rows written by the calling thread alone; after a failure the chunks in flight are written and no
 * other is taken.
 */
class ChunkWorkersTest {
  @TempDir Path tmp;
  private final List<Model> models = new ArrayList<>();

  private List<Model> models(int n) {
    Path file = TinyModels.convRelu(tmp.resolve("m.onnx"), 4, TinyModels.sines(9));
    for (int i = 0; i < n; i++) models.add(Model.builder(file).optBackend(Backend.CPU).open());
    return models;
  }

  @AfterEach
  void close() {
    models.forEach(Model::close);
  }

  private static final ChunkWorkers.Chunks<Integer> ONE_UNIT =
      new ChunkWorkers.Chunks<>() {
        @Override
        public int units(Integer chunk) {
          return 1;
        }

        @Override
        public String describe(Integer chunk) {
          return "chunk " + chunk;
        }
      };

  private static UnitResult row(int chunk) {
    return new UnitResult("l", chunk, "o", "ok", 0, 0, 0, 1, "i", "cpu", null, null, null, null);
  }

  @Test
  void workersRenderAtOnceOnTheirOwnModelsAndOneThreadWrites() {
    List<Model> on = models(2);
    CyclicBarrier both = new CyclicBarrier(2); // the first two chunks wait for each other
    Set<Model> used = ConcurrentHashMap.newKeySet();
    List<Long> progress = Collections.synchronizedList(new ArrayList<>());
    List<Integer> written = new ArrayList<>();
    Thread caller = Thread.currentThread();
    new ChunkWorkers<>(
            on,
            List.of(0, 1, 2, 3, 4, 5),
            ONE_UNIT,
            (model, chunk, onStep) -> {
              used.add(model);
              if (chunk < 2) {
                try {
                  both.await(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                  throw new AssertionError("the two workers did not render at once", e);
                }
              }
              onStep.accept(1);
              return List.of(row(chunk));
            },
            1,
            new Sweep.Listener() {
              @Override
              public void progress(long unitSteps) {
                progress.add(unitSteps);
              }
            })
        .run(
            rows -> {
              assertSame(caller, Thread.currentThread(), "the journal's one writer");
              written.add(rows.get(0).unit());
            });
    assertEquals(Set.copyOf(on), used);
    Collections.sort(written);
    assertEquals(List.of(0, 1, 2, 3, 4, 5), written, "every chunk once");
    assertEquals(6L, progress.get(progress.size() - 1), "one unit step per chunk, all counted");
    for (int i = 1; i < progress.size(); i++)
      assertTrue(progress.get(i) >= progress.get(i - 1), "the count never goes back: " + progress);
  }

  @Test
  void afterAFailureTheChunkInFlightIsWrittenAndNoOtherIsTaken() {
    List<Model> on = models(2);
    CountDownLatch failed = new CountDownLatch(1);
    CountDownLatch slowStarted = new CountDownLatch(1);
    List<Integer> written = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                new ChunkWorkers<>(
                        on,
                        List.of(0, 1, 2, 3),
                        ONE_UNIT,
                        (model, chunk, onStep) -> {
                          try {
                            if (chunk == 0) { // in flight while the other worker fails
                              slowStarted.countDown();
                              assertTrue(failed.await(20, TimeUnit.SECONDS));
                              Thread.sleep(300); // the failure is seen before this ends
                            } else if (chunk == 1) {
                              assertTrue(slowStarted.await(20, TimeUnit.SECONDS));
                              failed.countDown();
                              throw new IllegalStateException("device lost");
                            }
                          } catch (InterruptedException e) {
                            throw new AssertionError(e);
                          }
                          return List.of(row(chunk));
                        },
                        1,
                        new Sweep.Listener() {
                          @Override
                          public void workerFailed(String worker, String chunk) {
                            failures.add(worker + ": " + chunk);
                          }
                        })
                    .run(rows -> written.add(rows.get(0).unit())));
    assertEquals("device lost", thrown.getMessage());
    assertEquals(List.of(0), written, "the chunk in flight is written; 2 and 3 are left");
    assertEquals(1, failures.size(), failures.toString());
    assertTrue(failures.get(0).matches("worker [12] of 2 \\(cpu\\): chunk 1"), failures.get(0));
  }

  @Test
  void aJournalThatCannotBeWrittenStopsTheWorkersWithItsError() {
    List<Model> on = models(3);
    List<Integer> taken = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch journalFailed = new CountDownLatch(1);
    java.io.UncheckedIOException full =
        new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
    java.io.UncheckedIOException thrown =
        assertThrows(
            java.io.UncheckedIOException.class,
            () ->
                new ChunkWorkers<>(
                        on,
                        java.util.stream.IntStream.range(0, 200).boxed().toList(),
                        ONE_UNIT,
                        (model, chunk, onStep) -> {
                          taken.add(chunk);
                          if (chunk >= 3) { // held until the journal has failed
                            try {
                              assertTrue(journalFailed.await(20, TimeUnit.SECONDS));
                              Thread.sleep(300); // the failure is seen before this ends
                            } catch (InterruptedException e) {
                              throw new AssertionError(e);
                            }
                          }
                          return List.of(row(chunk));
                        },
                        1,
                        new Sweep.Listener() {})
                    .run(
                        rows -> {
                          journalFailed.countDown();
                          throw full;
                        }));
    assertSame(full, thrown, "the journal's own error, as it was");
    assertTrue(
        taken.size() <= 6, "no worker takes a chunk after the journal failed: " + taken.size());
  }
}
