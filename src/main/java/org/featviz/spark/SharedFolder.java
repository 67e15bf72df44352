package org.featviz.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;

/**
 * Where a cluster job's tasks put their chunks and the driver finds them: the driver's own output
 * folder where it is on a filesystem every executor mounts ({@link Local}), or a Hadoop FileSystem
 * URL ({@code hdfs://}, {@code s3a://}, {@code file:}, ...: {@link HadoopFolder}), in which case
 * the driver works in a local mirror and copies what it writes there at the end. In both, a chunk
 * is done once its record ({@code chunks/NAME.jsonl}, {@link ChunkFiles}) exists: the images it
 * lists are in place by then. Serializable: tasks carry it to the executors.
 */
interface SharedFolder extends Serializable {
  /** The folder {@code child} (a relative path such as "am") below this one. */
  SharedFolder resolve(String child);

  /** The rows of a recorded chunk, or null where it has no record yet. */
  List<UnitResult> readRecord(SweepChunk chunk) throws IOException;

  /** Records a chunk's rows, whole or not at all (written aside, then renamed). */
  void writeRecord(SweepChunk chunk, List<UnitResult> rows, String attempt) throws IOException;

  /** A local folder for one attempt's renders of {@code chunk}, before they are put in place. */
  Path staging(SweepChunk chunk, String attempt) throws IOException;

  /**
   * Puts the staged file {@code staged} at {@code relative} in one rename (a reader sees the old
   * file or the new, never part of one), replacing what is there.
   */
  void put(Path staged, String relative) throws IOException;

  /**
   * The driver's copy of the shared file {@code relative} at {@code local}; nothing to do where the
   * driver's folder is this one.
   */
  void fetch(String relative, Path local) throws IOException;

  /** The driver's output folder on a filesystem every executor mounts: nothing to copy. */
  record Local(String root) implements SharedFolder {
    private Path folder() {
      return Path.of(root);
    }

    @Override
    public SharedFolder resolve(String child) {
      return new Local(folder().resolve(child).toString());
    }

    @Override
    public List<UnitResult> readRecord(SweepChunk chunk) {
      return ChunkFiles.read(folder(), chunk);
    }

    @Override
    public void writeRecord(SweepChunk chunk, List<UnitResult> rows, String attempt) {
      ChunkFiles.write(folder(), chunk, rows, attempt);
    }

    @Override
    public Path staging(SweepChunk chunk, String attempt) {
      return folder()
          .resolve(ChunkFiles.FOLDER)
          .resolve(".staging-" + chunk.fileName() + "-" + attempt);
    }

    @Override
    public void put(Path staged, String relative) throws IOException {
      Path target = folder().resolve(relative);
      java.nio.file.Files.createDirectories(target.getParent());
      ChunkFiles.moveInPlace(staged, target);
    }

    @Override
    public void fetch(String relative, Path local) {}
  }

  /**
   * The Hadoop settings of a Spark configuration: its {@code spark.hadoop.*} entries without the
   * prefix, as Spark itself passes them to Hadoop.
   */
  static Map<String, String> hadoopSettings(scala.Tuple2<String, String>[] sparkConf) {
    Map<String, String> settings = new java.util.TreeMap<>();
    for (scala.Tuple2<String, String> e : sparkConf) {
      if (e._1().startsWith("spark.hadoop."))
        settings.put(e._1().substring("spark.hadoop.".length()), e._2());
    }
    return settings;
  }
}
