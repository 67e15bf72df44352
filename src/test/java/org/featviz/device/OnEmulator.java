package org.featviz.device;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the device cases of the class it is on, or of every {@code @Nested} class inside it, on the
 * host emulator (CI). {@link EmuTest} holds one {@code @Nested} class per case class; {@link
 * DeviceCases#openDevice} and {@link DeviceTesting#backendOf} read this.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface OnEmulator {}
