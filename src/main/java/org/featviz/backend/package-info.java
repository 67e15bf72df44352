/**
 * Choosing where a graph runs: the CPU reference backend, a device plan on a GPU, or the same plan
 * on the host emulator; "auto" takes the GPU where one is usable and says why not otherwise.
 */
package org.featviz.backend;
