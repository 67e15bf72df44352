/**
 * The geometry of a layer's units: a unit of a layer computed as {@code W x + b} is a hyperplane in
 * its input space, and the sign of every unit's output cuts that space into regions. Here: planes
 * and lines through a layer's input space or the network's input space ({@link Plane}), the units
 * evaluated on a dense grid of such a plane and each point's sign pattern made a region ({@link
 * SignRegions}), the closed-form bounds the counts are compared with ({@link RegionBounds}), and
 * the pictures ({@link RegionPictures}). {@link LayerRegions} puts them together for a model.
 */
package org.featviz.geometry;
