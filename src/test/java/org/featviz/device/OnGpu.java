package org.featviz.device;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Runs the device cases of the class it is on, or of every {@code @Nested} class inside it, on the
 * first GPU. They carry the JUnit tag {@code gpu}, which the pom's {@code excludedGroups}, {@code
 * -Dgroups=gpu} and the bundle's {@code bin/featviz-gpu-tests} select by, and skip where there is
 * no GPU, or fail under {@code FEATVIZ_REQUIRE_GPU=1} ({@link DeviceTesting#assumeGpu}). {@link
 * GpuTest} holds one {@code @Nested} class per case class.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("gpu")
public @interface OnGpu {}
