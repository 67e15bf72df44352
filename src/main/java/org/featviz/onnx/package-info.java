/**
 * Import of ONNX files through the ONNX reference library (org.bytedeco:onnx); no JavaCPP object
 * leaves this package.
 */
package org.featviz.onnx;
