/** A one-line description of the machine a benchmark ran on, quoted with its figures. */
import * as os from "node:os";

/** CPU model and count, memory, OS and Node version. */
export interface MachineInfo {
  cpu: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}
