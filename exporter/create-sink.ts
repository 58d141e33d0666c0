/**
 * Picks the engine from config: a remote ClickHouse over HTTP(S) when clickhouseUrl is set, else embedded chDB.
 */
import type { ExporterConfig } from './config';
import { EmbeddedSink } from './sinks/embedded-sink';
import { HttpSink } from './sinks/http-sink';
import type { Sink } from './sinks/sink';

export function createSink(config: ExporterConfig): Sink {
  if (config.clickhouseUrl) {
    return new HttpSink({
      url: config.clickhouseUrl,
      user: config.clickhouseUser,
      password: config.clickhousePassword,
      database: config.clickhouseDatabase,
      compression: config.clickhouseCompression,
    });
  }
  return new EmbeddedSink({ dataDir: config.dataDir });
}
