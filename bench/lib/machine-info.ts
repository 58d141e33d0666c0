/** What machine produced a figure: core count, CPU model, node version, load average at the start. */
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly memGiB: number;
  readonly loadAvg: string;
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1].trim();
  } catch {
    // not Linux: os.cpus() is the best we have
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    node: process.version,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAvg: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

export function describeMachine(info: MachineInfo = machineInfo()): string {
  return `${info.nproc} cores, ${info.cpuModel}, ${info.memGiB} GiB, node ${info.node}, load average at start ${info.loadAvg}`;
}
