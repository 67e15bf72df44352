/** What featviz knows about a model beyond its graph: input normalization from metadata. */
package org.featviz.model;
