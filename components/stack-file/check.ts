/**
 * I/O: the stack program's own check of its configuration, before it reads any value: the stack file's
 * YAML (values the Pulumi CLI reads differently from a YAML 1.2 reader) and its top-level keys. So
 * `pulumi up` refuses what the offline plan refuses, in the same words.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { stackConfigProblems } from "./keys";
import { readStackFile, StackFileError } from "./read";

/** Options of {@link assertStackConfig}. */
export interface StackConfigCheck {
  /** The stack's configuration namespace (`msgw`). */
  namespace: string;
  /** Path of the stack's `Pulumi.<stack>.yaml`; skipped when the file does not exist (Pulumi Cloud/ESC). */
  stackFile: string;
  /** Flat configuration as the program received it; default `pulumi.runtime.allConfig()`. */
  config?: Readonly<Record<string, string>>;
  /** Keys of the namespace the program reads; default the msgw stack's (`pool`, `poolName`). */
  keys?: readonly string[];
}

/** Throws a `pulumi.RunError` listing every problem (one per line), or returns. */
export function assertStackConfig(check: StackConfigCheck): void {
  const problems: string[] = [];
  if (fs.existsSync(check.stackFile)) {
    try {
      readStackFile(fs.readFileSync(check.stackFile, "utf8"), check.stackFile, check.namespace);
    } catch (err) {
      if (!(err instanceof StackFileError)) throw err;
      problems.push(...err.problems.map((p) => `${check.stackFile}: ${p}`));
    }
  }
  problems.push(
    ...stackConfigProblems(check.config ?? pulumi.runtime.allConfig(), check.namespace, check.keys),
  );
  if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));
}
