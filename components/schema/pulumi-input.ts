// Pure: rules that skip values still unknown (Pulumi Outputs).
import type * as pulumi from "@pulumi/pulumi";
import * as z from "zod";

/**
 * True for a value that is not known yet: a Pulumi `Output` (duck-typed, so the operator CLI need not
 * load the Pulumi SDK) or a promise. Such values are checked when they resolve, by the provider.
 */
export function isUnknownYet(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  return (
    (value as { __pulumiOutput?: unknown }).__pulumiOutput === true ||
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** Inner schema of each {@link pulumiInput}, for the JSON Schema (an editor sees the plain value's rule). */
export const INPUT_INNER = new WeakMap<z.ZodType, z.ZodType>();

/**
 * A `pulumi.Input<T>`: an Output or promise passes unchecked; a plain value must satisfy `inner`.
 */
export function pulumiInput<T>(inner: z.ZodType<T>): z.ZodType<pulumi.Input<T>, pulumi.Input<T>> {
  const schema = z
    .custom<pulumi.Input<T>>(() => true)
    .superRefine((value, ctx) => {
      if (isUnknownYet(value)) return;
      const result = inner.safeParse(value);
      if (!result.success) {
        for (const iss of result.error.issues) {
          ctx.addIssue({ code: "custom", message: iss.message, path: [...iss.path], input: value });
        }
      }
    });
  INPUT_INNER.set(schema, inner);
  return schema;
}
