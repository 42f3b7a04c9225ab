/** A one-line description of the machine a benchmark ran on, quoted with its figures. */
import * as os from "node:os";

/** CPU model and count, memory, OS, Node version and current load. */
export interface MachineInfo {
  cpu: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1, 5 and 15 minute load averages: figures from a busy machine are noisy. */
  loadAverage: number[];
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
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
