// The spool directory's run marker: a clean shutdown removes it, a crash leaves it, and only a left-behind marker
// turns on the restart dedup check (exercised end to end by reliability-service-kill.test.ts with SIGKILL).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunMarker } from '../exporter/queue/run-marker';

describe('RunMarker', () => {
  it('reports an unclean previous run only when the last one never called end()', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-marker-')), 'spool');
    const first = new RunMarker(dir);
    expect(first.begin()).toBe(false); // fresh directory: nothing ran before
    first.end();
    const second = new RunMarker(dir);
    expect(second.begin()).toBe(false); // the previous run shut down cleanly
    // No end(): the process died. The next start must check for rows sent twice.
    expect(new RunMarker(dir).begin()).toBe(true);
  });

  it('says "check" when it cannot write its marker', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-marker-')), 'not-a-dir');
    fs.writeFileSync(file, 'x');
    expect(new RunMarker(path.join(file, 'spool')).begin()).toBe(true);
  });
});
