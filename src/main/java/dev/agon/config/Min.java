package dev.agon.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lower bound of a numeric configuration value ({@code int}, {@code long} or {@code double}). May
 * also annotate the element type of a list, e.g. {@code List<@Min(1) Integer>}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
public @interface Min {
  /** The bound. */
  double value();

  /** If true the bound itself is not allowed ({@code > value} instead of {@code >= value}). */
  boolean exclusive() default false;
}
