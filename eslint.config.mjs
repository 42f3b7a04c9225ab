// Flat config: typescript-eslint's recommended rules plus @pulumi/eslint-plugin (no Outputs in
// template strings; those rules need type information, hence the project service).
import pulumi from "@pulumi/eslint-plugin";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores(["dist/", "docs/api/", "bench/results/", ".msgw/", ".cache/", "**/node_modules/"]),
  {
    files: ["{components,stacks,tools,bin,tests,bench,policy}/**/*.ts"],
    extends: [tseslint.configs.recommended],
    plugins: { "@pulumi": pulumi },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      // `_`-prefixed names are deliberate (mock callbacks must accept arguments they ignore).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
);
