/**
 * Graph passes: drop pass-throughs, fold constants and BatchNormalization, truncate to targets,
 * resolve input shapes; Prepare chains them into the standard pipeline.
 */
package org.featviz.passes;
