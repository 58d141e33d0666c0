/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function, grouped by where the code lives:
 * our SDK/exporter, OpenTelemetry packages, other node_modules, node internals.
 */
import * as fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FrameSelfTime {
  readonly frame: string;
  readonly origin: 'ours' | 'otel' | 'deps' | 'node' | 'other';
  readonly selfMs: number;
  readonly share: number;
}

function originOf(url: string): FrameSelfTime['origin'] {
  if (url.includes('/node_modules/@opentelemetry/')) return 'otel';
  if (url.includes('/node_modules/')) return 'deps';
  if (/\/(sdk|exporter)\/dist\//.test(url)) return 'ours';
  if (url.startsWith('node:') || url === '') return 'node';
  return 'other';
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const dist = url.search(/\/(sdk|exporter)\/dist\//);
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

export function selfTimes(file: string): { totalMs: number; frames: FrameSelfTime[] } {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, { us: number; origin: FrameSelfTime['origin'] }>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) continue;
    totalUs += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    const entry = selfUs.get(key) ?? { us: 0, origin: originOf(url) };
    entry.us += dt;
    selfUs.set(key, entry);
  }
  const frames = [...selfUs.entries()]
    .map(([frame, { us, origin }]) => ({ frame, origin, selfMs: us / 1000, share: totalUs ? us / totalUs : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: totalUs / 1000, frames };
}

/** Share of all samples per origin, e.g. { ours: 0.08, otel: 0.12, node: 0.6 … }. */
export function sharesByOrigin(frames: readonly FrameSelfTime[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of frames) out[f.origin] = (out[f.origin] ?? 0) + f.share;
  return out;
}
