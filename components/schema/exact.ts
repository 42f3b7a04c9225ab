// Pure: compile-time checks that a zod schema accepts exactly a documented type.
import type * as z from "zod";

/** Whether two types are the same (each assignable to the other). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Compile-time proof that a schema accepts exactly the documented type `T` (its input): a mismatch is a
 * type error. The documented type stays the one definition a reader sees; the schema cannot drift from it.
 * @internal Takes a zod schema: left out of the published declarations.
 */
export const exact =
  <T>() =>
  <S extends z.ZodType>(
    schema: S,
    ..._mismatch: Same<z.input<S>, T> extends true
      ? []
      : ["the schema and the documented type disagree", z.input<S>, T]
  ): S =>
    schema;

/**
 * Same as {@link exact} for what the schema returns (its output, defaults filled in).
 * @internal Takes a zod schema: left out of the published declarations.
 */
export const exactOutput =
  <T>() =>
  <S extends z.ZodType>(
    schema: S,
    ..._mismatch: Same<z.output<S>, T> extends true
      ? []
      : ["the schema's output and the documented type disagree", z.output<S>, T]
  ): S =>
    schema;
