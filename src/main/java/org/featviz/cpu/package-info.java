/**
 * The CPU reference backend: one CpuKernel per op (named OpRef) with forward and input-gradient
 * backward, and the executor that runs graphs. It is the oracle every GPU kernel is tested against,
 * and the fallback where there is no GPU.
 */
package org.featviz.cpu;
