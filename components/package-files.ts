// I/O: where this package's own files are at run time (a clone, or node_modules/@msgw/gateway-pool).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const PACKAGE_NAME = "@msgw/gateway-pool";

/**
 * The package's root directory: the nearest folder above this file whose package.json is this package's
 * (the repository root in a clone, `node_modules/@msgw/gateway-pool` once installed; the compiled file is
 * one folder deeper under dist/).
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name;
      if (name === PACKAGE_NAME) return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of ${PACKAGE_NAME} above ${from}`);
  }
}

/** The package's version, from its package.json (what `msgw --version` prints). */
export function packageVersion(): string {
  const manifest = join(packageRoot(), "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** The absolute path of a document the package ships under docs/ (the package's `files` list). */
export function shippedDoc(name: string): string {
  return join(packageRoot(), "docs", name);
}
