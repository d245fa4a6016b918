package dev.agon.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Upper bound of a numeric configuration value ({@code int}, {@code long} or {@code double}). May
 * also annotate the element type of a list, e.g. {@code List<@Max(1) Double>}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
public @interface Max {
  /** The bound. */
  double value();

  /** If true the bound itself is not allowed ({@code < value} instead of {@code <= value}). */
  boolean exclusive() default false;
}
