/** Pure: the rules a file name meets on the target platform, and the temporary name a restore writes first. */
import { sha256 } from "./manifest";
import { TEMP_SUFFIX } from "./select";
import { showName } from "./text";

/** Short, fixed-length temporary name for a file: never longer than any limit the final name meets. */
export function tempName(file: string): string {
  return `msgw-${sha256(file).slice(0, 16)}${TEMP_SUFFIX}`;
}

/** Windows reserved device names (Microsoft, "Naming Files, Paths, and Namespaces"), with or without an extension. */
const WINDOWS_RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$/i;
/** Characters Windows file names cannot hold (same source): < > : " / \ | ? * and codes 0-31. */

const WINDOWS_FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f]/;
/** Windows MAX_PATH is 260 including the terminating NUL (same source); OpenSSH's SFTP server is bound by it. */
const WINDOWS_MAX_PATH = 259;
/** Linux NAME_MAX: 255 bytes per name (limits.h); PATH_MAX 4096 bytes including the NUL. */
const LINUX_NAME_MAX = 255;
const LINUX_PATH_MAX = 4095;

/**
 * Why `name` cannot be written into `dir` on `platform` (empty when it can). Checks the final name
 * and the temporary name the restore uses, and the longest full path.
 */
export function nameProblems(platform: "windows" | "linux", dir: string, name: string): string[] {
  const out: string[] = [];
  const shown = showName(name);
  if (platform === "windows") {
    if (WINDOWS_RESERVED.test(name))
      out.push(`${shown} is a reserved device name on Windows; rename it on the source`);
    if (WINDOWS_FORBIDDEN.test(name))
      out.push(
        `${shown} holds a character Windows forbids in file names (< > : " / \\ | ? * or a control character); rename it on the source`,
      );
    if (/[ .]$/.test(name))
      out.push(`${shown} ends with a space or a dot, which Windows drops; rename it on the source`);
    if (name.length > 255)
      out.push(`${shown} is ${name.length} characters long; Windows allows 255 per name`);
    const longest = Math.max(name.length, tempName(name).length);
    if (dir.length + 1 + longest > WINDOWS_MAX_PATH)
      out.push(
        `${dir}\\${shown} is ${dir.length + 1 + longest} characters long; Windows paths are limited to ${WINDOWS_MAX_PATH} (MAX_PATH); use a shorter name`,
      );
  } else {
    const bytes = Buffer.byteLength(name);
    if (bytes > LINUX_NAME_MAX)
      out.push(
        `${shown} is ${bytes} bytes long; Linux allows ${LINUX_NAME_MAX} bytes per name (NAME_MAX)`,
      );
    if (/\0/.test(name)) out.push(`${shown} holds a NUL character`);
    if (Buffer.byteLength(dir) + 1 + bytes > LINUX_PATH_MAX)
      out.push(`${dir}/${shown} is longer than PATH_MAX (${LINUX_PATH_MAX + 1} bytes)`);
  }
  return out;
}
