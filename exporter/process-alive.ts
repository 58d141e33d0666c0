/**
 * Whether a pid names a live process: used to tell a running owner (of a data directory, of service.json) from a
 * stale file left by a crash.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
