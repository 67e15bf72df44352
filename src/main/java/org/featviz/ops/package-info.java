/**
 * Backend-independent knowledge of each supported ONNX op: attribute reading and shape inference
 * (one OpSpec per op or family), the registry of supported ops, and shape inference over whole
 * graphs.
 */
package org.featviz.ops;
