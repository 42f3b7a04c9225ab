/**
 * The stack program and a variant of it that imports the whole `@pulumi/aws` root instead of
 * `@pulumi/aws/provider`, written to a temp dir for type-check and start-up comparisons.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const SUBMODULE_IMPORT = 'import { Provider as AwsProvider } from "@pulumi/aws/provider";';

/** Rewrites relative import specifiers to absolute paths, so the file works from another folder. */
export function absolutizeImports(source: string, fromDir: string): string {
  return source.replace(
    /from "(\.{1,2}\/[^"]*|\.{1,2})"/g,
    (_, spec: string) => `from "${resolve(fromDir, spec)}"`,
  );
}

/** The same program importing the `@pulumi/aws` root; throws if the program's AWS import changed. */
export function rootAwsVariant(source: string): string {
  if (!source.includes(SUBMODULE_IMPORT)) {
    throw new Error(
      `stack program no longer contains \`${SUBMODULE_IMPORT}\`; update bench/lib/program-variants.ts`,
    );
  }
  return source.replace(
    SUBMODULE_IMPORT,
    'import * as awsRoot from "@pulumi/aws";\nconst AwsProvider = awsRoot.Provider;',
  );
}

/** Paths of the generated programs and their tsconfig files. */
export interface ProgramVariants {
  dir: string;
  baseline: { program: string; tsconfig: string };
  rootAws: { program: string; tsconfig: string };
}

/**
 * Writes `baseline.ts` (the stack program) and `root-aws.ts` (the variant) into a new temp dir whose
 * `node_modules` links to the repository's, each with a tsconfig extending the repository's.
 */
export function writeProgramVariants(repoRoot: string, stackProgram: string): ProgramVariants {
  const dir = mkdtempSync(join(tmpdir(), "msgw-bench-"));
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  const source = absolutizeImports(readFileSync(stackProgram, "utf8"), dirname(stackProgram));
  const write = (name: string, text: string) => {
    const program = join(dir, `${name}.ts`);
    const tsconfig = join(dir, `tsconfig.${name}.json`);
    writeFileSync(program, text);
    const config = {
      extends: join(repoRoot, "tsconfig.json"),
      compilerOptions: { noEmit: true, rootDir: "/", incremental: false },
      files: [program],
      include: [],
    };
    writeFileSync(tsconfig, `${JSON.stringify(config, null, 2)}\n`);
    return { program, tsconfig };
  };
  return {
    dir,
    baseline: write("baseline", source),
    rootAws: write("root-aws", rootAwsVariant(source)),
  };
}
