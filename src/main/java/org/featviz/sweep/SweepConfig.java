package org.featviz.sweep;

import java.util.List;

/**
 * What a sweep does, stored as {@code sweep.json} in its output folder: resuming with different settings would mix
 * incomparable images, so a sweep refuses to resume into a folder made with other ones.
 */
public record SweepConfig(String model, List<String> layers, String units, String objective, int steps, long seed,
    String param, double learningRate, String transforms) {}
