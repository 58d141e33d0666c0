/**
 * A file in the spool directory that exists while an exporter runs. Found at start, it means the previous process
 * ended without a clean shutdown (crash, SIGKILL, power cut), so rows it acknowledged may be sent again; only then
 * is the restart dedup check worth its cost (a lookup before every insert).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const MARKER = '.running';

export class RunMarker {
  private readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, MARKER);
  }

  /** Creates the marker. True when the last run did not end cleanly, or when that cannot be told (then check). */
  begin(): boolean {
    try {
      const unclean = fs.existsSync(this.file);
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(this.file, `${process.pid}\n`, { mode: 0o600 });
      return unclean;
    } catch {
      return true;
    }
  }

  /** Removes the marker once everything accepted is inserted or spooled. */
  end(): void {
    try {
      fs.rmSync(this.file, { force: true });
    } catch {
      // The next start then runs the dedup check it did not need: slower for a while, never wrong.
    }
  }
}
