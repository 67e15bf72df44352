package org.featviz.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.featviz.analyze.ImageObjective;
import org.featviz.cli.AnalyzeJob;
import org.featviz.cli.SweepJob;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;

/**
 * How a task renders a chunk: rebuilt from the job's command line on the executor, so only strings
 * travel. One per kind of job.
 */
interface ChunkRender extends Serializable {
  /**
   * The chunk's images under {@code folder}, rendered on {@code device} ("cpu" or a GPU ordinal);
   * returns its rows (image paths relative to {@code folder}).
   */
  List<UnitResult> render(SweepChunk chunk, String device, Path folder);

  /** A chunk of the sweep {@code args} describe (featviz sweep's options). */
  record Sweep(String[] args) implements ChunkRender {
    public Sweep {
      args = args.clone();
    }

    @Override
    public List<UnitResult> render(SweepChunk chunk, String device, Path folder) {
      return SweepJob.renderChunk(args, chunk, device, folder);
    }
  }

  /** A chunk of the {@code kind} sweep of the analysis {@code args} describe. */
  record Analysis(String[] args, ImageObjective kind) implements ChunkRender {
    public Analysis {
      args = args.clone();
    }

    @Override
    public List<UnitResult> render(SweepChunk chunk, String device, Path folder) {
      return AnalyzeJob.renderChunk(args, kind, chunk, device, folder);
    }
  }
}
