package org.featviz.sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a sweep's chunks are rendered: this process's workers ({@link Sweep#run}'s default, one
 * thread per device) or a cluster (org.featviz.spark). A runner renders every chunk it is given,
 * writing each chunk's images under the sweep's folder {@code out}, and hands each finished chunk's
 * rows to {@code journal} from the calling thread, which alone writes the journal.
 */
public interface ChunkRunner {
  void run(Path out, List<SweepChunk> chunks, Consumer<List<UnitResult>> journal);
}
