/**
 * The ESM preload entry: `node --import otel-activity/register app.mjs` (Node ≥ 20.6). Registers
 * import-in-the-middle's loader hook so ESM imports of http, express … can be instrumented, then runs the
 * same setup as the CommonJS entry.
 */
import { createRequire, register } from 'node:module';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const require = createRequire(import.meta.url);
require('./register.js');
