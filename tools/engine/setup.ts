/**
 * `npm run engine:setup`: the Pulumi CLI, built from its Go module at the @pulumi/pulumi version of
 * package-lock.json (tools/engine/go.mod pins it; a mismatch fails), into `.cache/engine/<version>/bin/`, or
 * reused from there; then the Node.js language host stand-in next to it (rebuilt every time: it is one
 * TypeScript file). Prints where everything is, the build time and the disk use.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import ts from "typescript";
import {
  CLI_PACKAGE,
  ENGINE_MODULE_DIR,
  NODE22_BIN_DIR,
  ROOT,
  VERSION_SYMBOL,
  engineVersion,
  enginePaths,
  type EnginePaths,
} from "./paths";

/** Hard cap for the CLI build (a cold build on 2 cores takes about 10 minutes). */
const BUILD_DEADLINE_MS = 40 * 60_000;
const HEARTBEAT_MS = 20_000;

const log = (line: string) => process.stdout.write(`engine:setup: ${line}\n`);
const fmtTime = (ms: number) =>
  ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

/** Disk use of a directory in MiB (`du`), or undefined when it does not exist. */
function diskMiB(dir: string | undefined): number | undefined {
  if (!dir || !fs.existsSync(dir)) return undefined;
  const out = execFileSync("du", ["-sk", dir], { encoding: "utf8" });
  return Math.round(Number(out.split(/\s/)[0]) / 1024);
}

function goEnv(name: string): string | undefined {
  try {
    return execFileSync("go", ["env", name], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `pulumi version` of a built binary, or undefined when it does not run. */
function cliVersion(binary: string): string | undefined {
  try {
    return execFileSync(binary, ["version"], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    }).trim();
  } catch {
    return undefined;
  }
}

/** Builds the CLI with `go build`, printing a progress line every 20 s; resolves with the build time. */
async function buildCli(p: EnginePaths): Promise<number> {
  let go: string;
  try {
    go = execFileSync("go", ["version"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      "Go is not on PATH: the Pulumi CLI is built from its Go module (tools/engine/go.mod asks for Go " +
        `${/^go (\S+)/m.exec(fs.readFileSync(path.join(ENGINE_MODULE_DIR, "go.mod"), "utf8"))?.[1] ?? "?"}); ` +
        "install Go and make the Go module proxy reachable, then run npm run engine:setup again",
    );
  }
  log(`using ${go}`);
  fs.mkdirSync(p.binDir, { recursive: true });
  const tmp = `${p.pulumi}.partial`;
  const args = [
    "build",
    "-v",
    "-o",
    tmp,
    "-ldflags",
    `-s -w -X ${VERSION_SYMBOL}=v${p.version}`,
    CLI_PACKAGE,
  ];
  log(
    `building the Pulumi CLI v${p.version}: (cd tools/engine && go ${args.map((a) => (a.includes(" ") ? `'${a}'` : a)).join(" ")})`,
  );
  const start = performance.now();
  const child = spawn("go", args, {
    cwd: ENGINE_MODULE_DIR,
    stdio: ["ignore", "inherit", "pipe"],
    env: { ...process.env, GOFLAGS: "-mod=readonly" },
  });
  let compiled = 0;
  let last = "";
  let errors = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) {
      if (!line.trim()) continue;
      if (/^[\w.\-/]+$/.test(line.trim())) {
        compiled++;
        last = line.trim();
      } else {
        errors += `${line}\n`;
      }
    }
  });
  const heartbeat = setInterval(
    () =>
      log(
        `  … ${fmtTime(performance.now() - start)}: ${compiled} packages compiled${last ? ` (last: ${last})` : ""}`,
      ),
    HEARTBEAT_MS,
  );
  const killer = setTimeout(() => child.kill("SIGTERM"), BUILD_DEADLINE_MS);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearInterval(heartbeat);
  clearTimeout(killer);
  if (code !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(
      `go build of the Pulumi CLI failed (exit ${code ?? "killed after " + fmtTime(BUILD_DEADLINE_MS)}); ` +
        `nothing was cached. go said:\n${errors.trim()}`,
    );
  }
  fs.renameSync(tmp, p.pulumi);
  return performance.now() - start;
}

/** Transpiles the language host stand-in next to the CLI and writes its launcher. */
export function installLanguageHost(p: EnginePaths): void {
  const source = path.join(ENGINE_MODULE_DIR, "language-host.ts");
  const js = ts.transpileModule(fs.readFileSync(source, "utf8"), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: source,
  }).outputText;
  fs.mkdirSync(p.binDir, { recursive: true });
  // Lives under the repository, so `require` finds @grpc/grpc-js and @pulumi/pulumi in its node_modules.
  const target = path.join(p.binDir, "pulumi-language-nodejs.js");
  fs.writeFileSync(target, js);
  fs.writeFileSync(
    p.languageHost,
    `#!/bin/sh\n# Node.js language host stand-in (tools/engine/language-host.ts), written by npm run engine:setup.\nexec '${path.join(NODE22_BIN_DIR, "node")}' '${target}' "$@"\n`,
    { mode: 0o755 },
  );
}

export async function setup(): Promise<EnginePaths> {
  const version = engineVersion();
  const p = enginePaths(version);
  const start = performance.now();
  let buildMs: number | undefined;
  const existing = fs.existsSync(p.pulumi) ? cliVersion(p.pulumi) : undefined;
  if (existing === `v${version}`) {
    log(`reusing the Pulumi CLI ${existing} at ${path.relative(ROOT, p.pulumi)}`);
  } else {
    if (existing !== undefined || fs.existsSync(p.pulumi)) {
      log(`cached ${path.relative(ROOT, p.pulumi)} reports "${existing ?? "nothing"}": rebuilding`);
    }
    buildMs = await buildCli(p);
    const built = cliVersion(p.pulumi);
    if (built !== `v${version}`) {
      throw new Error(`the built CLI reports "${built}", expected v${version}`);
    }
  }
  installLanguageHost(p);
  const lines = [
    `Pulumi CLI       ${p.pulumi} (v${version})`,
    `language host    ${p.languageHost} (stand-in, tools/engine/language-host.ts)`,
    `programs run on  ${path.join(NODE22_BIN_DIR, "node")} (${execFileSync(path.join(NODE22_BIN_DIR, "node"), ["--version"], { encoding: "utf8" }).trim()})`,
    buildMs === undefined
      ? `build time       none (cached build reused; setup took ${fmtTime(performance.now() - start)})`
      : `build time       ${fmtTime(buildMs)}`,
    `disk use         ${diskMiB(p.cacheDir)} MiB in ${path.relative(ROOT, p.cacheDir)}; Go build cache ${diskMiB(goEnv("GOCACHE")) ?? "?"} MiB, Go module cache ${diskMiB(goEnv("GOMODCACHE")) ?? "?"} MiB`,
    `use it           PATH=${p.binDir}:${NODE22_BIN_DIR}:$PATH pulumi …`,
  ];
  for (const l of lines) log(l);
  return p;
}

if (require.main === module) {
  setup().catch((err: Error) => {
    process.stderr.write(`engine:setup: ${err.message}\n`);
    process.exit(1);
  });
}
