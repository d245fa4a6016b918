package dev.agon.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Human description of a configuration key: what it means and in which unit. Every record component
 * of the configuration tree carries one; {@link ConfigReference} turns them into the key reference
 * table.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Doc {
  /** The description, one or two sentences, naming the unit where there is one. */
  String value();
}
