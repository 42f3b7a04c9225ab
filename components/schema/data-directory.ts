// Pure: rules for a gateway data directory on Windows and Linux.
import * as z from "zod";
import { show } from "./format";
import { firstUnsafeChar, showChar } from "./powershell-safe";

export const WINDOWS_DATA_DIR = "C:\\ProgramData\\MailStore\\Gateway";
export const LINUX_DATA_DIR_EXAMPLE = "/var/lib/msgw";

/** Characters of one folder name: letters, digits, spaces and `. _ - ( )` (safe in PowerShell and sh). */
const WINDOWS_NAME_CHAR = /^[A-Za-z0-9 ._()-]$/;
const LINUX_NAME_CHAR = /^[A-Za-z0-9._@+-]$/;

/**
 * Why `value` is not a usable absolute folder on `platform` (the tail of a message), or undefined. The
 * gateway's data directory holds configuration files at the top and mailbox folders below; backups are
 * kept beside it, so it can be neither a drive or file-system root nor a share.
 */
export function folderProblem(platform: "windows" | "linux", value: unknown): string | undefined {
  const example = platform === "windows" ? WINDOWS_DATA_DIR : LINUX_DATA_DIR_EXAMPLE;
  if (typeof value !== "string" || value.trim() === "") {
    return `is not a folder path; give an absolute ${platform} folder such as ${show(example)}`;
  }
  // A character no folder name may hold is named first, whatever else is wrong with the path.
  const anyChar = platform === "windows" ? /^[A-Za-z0-9 ._()\-\\/:]$/ : /^[A-Za-z0-9._@+\-/]$/;
  const stray = firstUnsafeChar(value, anyChar);
  if (stray !== undefined) {
    return `contains ${showChar(stray)}; folder names may hold only letters, digits${platform === "windows" ? ", spaces and . _ - ( )" : " and . _ @ + -"} (the path is used in PowerShell and shell commands)`;
  }
  if (platform === "windows") {
    if (/^[\\/]{2}/.test(value)) {
      return `is a network share; give a local folder such as ${show(example)}`;
    }
    if (/^[A-Za-z]:/.test(value) && value.includes("/")) {
      return `uses "/"; write Windows folders with backslashes, e.g. ${show(value.replace(/\//g, "\\"))}`;
    }
    if (!/^[A-Za-z]:\\/.test(value)) {
      return `is not an absolute windows path; start with a drive letter, e.g. ${show(example)}`;
    }
    if (/^[A-Za-z]:\\+$/.test(value)) {
      return `is a drive root; give the gateway a folder of its own (backups are kept beside it), e.g. ${show(example)}`;
    }
  } else {
    if (!value.startsWith("/")) {
      return `is not an absolute linux path; start with "/", e.g. ${show(example)}`;
    }
    if (/^\/+$/.test(value)) {
      return `is the file-system root; give the gateway a folder of its own, e.g. ${show(example)}`;
    }
  }
  const sep = platform === "windows" ? "\\" : "/";
  const names = value
    .slice(platform === "windows" ? 3 : 1)
    .split(sep)
    .filter((n, i, all) => n !== "" || i < all.length - 1);
  for (const name of names) {
    if (name === "")
      return `contains an empty folder name ("${sep}${sep}"); write each ${sep} once`;
    if (name === "." || name === "..") {
      return `contains a "${name}" folder; give the folder's plain absolute path`;
    }
    const bad = firstUnsafeChar(name, platform === "windows" ? WINDOWS_NAME_CHAR : LINUX_NAME_CHAR);
    if (bad !== undefined) {
      return `contains ${showChar(bad)}; folder names may hold only letters, digits${platform === "windows" ? ", spaces and . _ - ( )" : " and . _ @ + -"} (the path is used in PowerShell and shell commands)`;
    }
  }
  return undefined;
}

/** An absolute folder on `platform`, checked by {@link folderProblem}.
 * @internal A zod schema: left out of the published declarations.
 */
export function dataDirectory(platform: "windows" | "linux") {
  const message = (input: unknown) => `${show(input)} ${folderProblem(platform, input)}`;
  return z
    .string({ error: (iss) => message(iss.input) })
    .refine((v) => folderProblem(platform, v) === undefined, {
      error: (iss) => message(iss.input),
    });
}

/** `C:\Gateway\` -> `C:\Gateway`; `/var/lib/msgw/` -> `/var/lib/msgw`. */
export function trimFolder(value: string): string {
  return value.replace(/[\\/]+$/, "");
}

/** True when one folder is, contains or lies inside the other (case-insensitive on Windows). */
export function foldersOverlap(platform: "windows" | "linux", a: string, b: string): boolean {
  const sep = platform === "windows" ? "\\" : "/";
  const norm = (p: string) =>
    (platform === "windows" ? p.toLowerCase() : p).replace(/[\\/]+$/, "") + sep;
  return norm(a).startsWith(norm(b)) || norm(b).startsWith(norm(a));
}
