/** The ONNX backend test-case runner behind featviz conformance. */
package org.featviz.conformance;
