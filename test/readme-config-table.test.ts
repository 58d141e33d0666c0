// The README's configuration table is generated from the options' schemas (CONFIG_FIELDS, SDK and server): it may not drift.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTableMarkdown } from '../exporter/config';

describe('README configuration table', () => {
  it('is exactly configTableMarkdown() (regenerate it from the config schemas after adding a key)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const start = readme.indexOf('| key | env | type | default | meaning |');
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start, readme.indexOf('\n\n', start))).toBe(configTableMarkdown());
  });
});
