/**
 * What reading an OTLP/protobuf request into ActivitySpans costs the service, per span: protobufjs decode +
 * otlpToActivitySpans (the baseline) against otlpProtobufToActivitySpans on the same 1k- and 10k-span bodies,
 * alternated in one process, medians of rounds of process CPU time; and the string decoders for short fields.
 *
 *   node dist/bench/otlp-decode.js [--rounds N] [--no-write]
 */
import { otlpToActivitySpans } from 'otel-activity-server/internal/exporter/normalize/from-otlp';
import { otlpProtobufToActivitySpans } from 'otel-activity-server/internal/exporter/normalize/from-otlp-protobuf';
import { otlpProtoCodec } from 'otel-activity-server/internal/exporter/service/otlp-proto';
import { numberArg, type BenchArgs } from './lib/bench-args';
import { encodeSpans } from './lib/hand-made-span';
import { makeSpans } from './lib/otlp-payloads';
import { runStandalone, type BenchMain } from './lib/script-main';
import { median, pairedRatios } from './lib/stats';

const BATCHES = [1_000, 10_000];

/** CPU µs (user + system) per span of `reps` reads of a body of `spans` spans. */
function usPerSpan(read: () => unknown, reps: number, spans: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < reps; i++) read();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / reps / spans;
}

/** ns per call of decoding short ASCII strings (the typical attribute key or value) three ways, alternated. */
function shortStringNs(rounds: number): { latin1Slice: number; toString: number; textDecoder: number } {
  const buf = Buffer.from('http.response.status_code GET /api/products/:id user-42 203.0.113.0 ');
  const fields: Array<[number, number]> = [];
  for (let at = 0, end = buf.indexOf(32); end !== -1; at = end + 1, end = buf.indexOf(32, at)) fields.push([at, end]);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const ways = {
    latin1Slice: (a: number, b: number) => buf.latin1Slice(a, b),
    toString: (a: number, b: number) => buf.toString('utf8', a, b),
    textDecoder: (a: number, b: number) => decoder.decode(buf.subarray(a, b)),
  };
  const reps = 200_000;
  const timings = { latin1Slice: [] as number[], toString: [] as number[], textDecoder: [] as number[] };
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(ways) as Array<keyof typeof ways>) {
      const decode = ways[name];
      const start = process.hrtime.bigint();
      for (let i = 0; i < reps; i++) {
        const [a, b] = fields[i % fields.length]!;
        sink += decode(a, b).length;
      }
      timings[name].push(Number(process.hrtime.bigint() - start) / reps);
    }
  }
  if (sink < 0) throw new Error('unreachable');
  return { latin1Slice: median(timings.latin1Slice), toString: median(timings.toString), textDecoder: median(timings.textDecoder) };
}

export const main: BenchMain = async (args: BenchArgs) => {
  const rounds = numberArg(args, 'rounds', 11);
  const codec = otlpProtoCodec();
  const rows: string[] = [];
  for (const count of BATCHES) {
    const body = Buffer.from(encodeSpans(makeSpans(1, 0, count, Date.UTC(2026, 0, 1)), 'protobuf'));
    const protobufjs = () => otlpToActivitySpans(codec.decodeRequest(body));
    const reader = () => otlpProtobufToActivitySpans(body);
    const reps = Math.max(2, Math.round(20_000 / count));
    for (let i = 0; i < reps * 3; i++) {
      protobufjs();
      reader();
    }
    const timings = { protobufjs: [] as number[], reader: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      timings.protobufjs.push(usPerSpan(protobufjs, reps, count));
      timings.reader.push(usPerSpan(reader, reps, count));
    }
    const baseline = median(timings.protobufjs);
    const ours = median(timings.reader);
    const ratio = median(pairedRatios(timings.protobufjs, timings.reader));
    rows.push(
      `| ${count.toLocaleString('en')} spans (${(body.length / 1024).toFixed(0)} KiB) | ${baseline.toFixed(3)} | ${ours.toFixed(3)} | ${ratio.toFixed(2)}× faster |`,
    );
  }
  const strings = shortStringNs(rounds);
  return [
    '### OTLP protobuf request → ActivitySpans (service CPU per span)',
    '',
    `Bodies of bench/lib/otlp-payloads.ts spans (access, auth, external), ${rounds} alternated rounds, median of process CPU time; ratio: median of per-round ratios. The same result from both (test/service-from-otlp-protobuf.test.ts).`,
    '',
    '| body | protobufjs decode + otlpToActivitySpans µs/span (baseline) | otlpProtobufToActivitySpans µs/span | ratio |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
    `Short ASCII strings (4-25 bytes), ns per decode: Buffer latin1Slice ${strings.latin1Slice.toFixed(1)}, Buffer toString('utf8') ${strings.toString.toFixed(1)}, TextDecoder (fatal) ${strings.textDecoder.toFixed(1)}; the reader scans for ASCII and takes latin1Slice, TextDecoder only for the rest.`,
    '',
  ].join('\n');
};

if (require.main === module) runStandalone('node dist/bench/otlp-decode.js (OTLP protobuf decode per span)', main);
