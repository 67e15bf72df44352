/**
 * featviz's own model IR: immutable graphs of typed nodes, static shapes, float tensors. Nothing
 * here depends on ONNX's library or on a backend.
 */
package org.featviz.ir;
