package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Progress off a terminal: a plain line per interval on the given stream, and nothing for short
 * work.
 */
class ProgressTest {
  /** A clock the test moves, in seconds. */
  private final long[] now = {0};

  private Progress progress(StringWriter sink, long total) {
    return new Progress(
        "sweep",
        total,
        "unit steps",
        new PrintWriter(sink),
        false,
        Duration.ofSeconds(5),
        () -> now[0] * 1_000_000_000L);
  }

  @Test
  void aLineEveryIntervalWithTheCountElapsedTimeAndWhatIsLeft() {
    StringWriter sink = new StringWriter();
    try (Progress p = progress(sink, 640)) {
      now[0] = 3;
      p.accept(40); // within the first interval: quiet
      now[0] = 35;
      p.accept(80);
      now[0] = 37;
      p.to(130); // within the interval after the last line: quiet
      now[0] = 40;
      p.to(160);
      now[0] = 41;
      p.to(640);
      now[0] = 42;
    }
    assertEquals(
        List.of(
            "sweep: 120/640 unit steps (18%), 35 s elapsed, about 3 min left",
            "sweep: 160/640 unit steps (25%), 40 s elapsed, about 2 min left",
            "sweep: 640/640 unit steps (100%), 42 s elapsed"),
        sink.toString().lines().toList());
  }

  @Test
  void workShorterThanTheIntervalPrintsNothing() {
    StringWriter sink = new StringWriter();
    try (Progress p = progress(sink, 10)) {
      for (int i = 1; i <= 10; i++) {
        now[0] = i / 3;
        p.accept(1);
      }
    }
    assertEquals("", sink.toString());
  }

  @Test
  void noLineRepeatsACountAndLongTimesReadInMinutesAndHours() {
    StringWriter sink = new StringWriter();
    try (Progress p = progress(sink, 1000)) {
      now[0] = 130;
      p.to(10);
      now[0] = 200;
      p.to(10); // no news: no line
      now[0] = 4000;
      p.to(1000);
    }
    assertEquals(
        List.of(
            "sweep: 10/1000 unit steps (1%), 2 min 10 s elapsed, about 3 h 35 min left",
            "sweep: 1000/1000 unit steps (100%), 1 h 6 min elapsed"),
        sink.toString().lines().toList());
    assertEquals("40 s", Progress.roughly(40.2));
    assertEquals("2 min", Progress.roughly(110));
  }
}
