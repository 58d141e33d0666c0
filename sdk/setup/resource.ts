/**
 * The resource every span carries: service.name (config / OTEL_SERVICE_NAME, else OTEL_RESOURCE_ATTRIBUTES,
 * else the app's package.json name), service.version, deployment.environment.name, host.name.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_HOST_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '../attributes';
import type { SdkConfig } from '../config/config-types';

interface PackageInfo {
  readonly name?: string;
  readonly version?: string;
}

/** The nearest package.json at or above `cwd` (the app's, when it is started from its own folder). */
export function findAppPackage(cwd: string): PackageInfo {
  let dir = path.resolve(cwd);
  for (;;) {
    const file = path.join(dir, 'package.json');
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as PackageInfo;
      if (typeof parsed.name === 'string' && parsed.name !== '') return parsed;
    } catch {
      // no package.json here (or not JSON): keep walking up
    }
    const up = path.dirname(dir);
    if (up === dir) return {};
    dir = up;
  }
}

/** `key=value,key=value`, values URL-encoded (the OTEL_RESOURCE_ATTRIBUTES format). */
export function parseResourceAttributes(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed entry is skipped, as the OTel SDK does
    }
  }
  return out;
}

export interface ResourceInputs {
  readonly cwd: string;
  /** OTEL_RESOURCE_ATTRIBUTES, already read from the environment by the caller. */
  readonly resourceAttributes?: string;
  /** NODE_ENV, the fallback for deployment.environment.name. */
  readonly nodeEnv?: string;
}

export function buildResource(config: SdkConfig, inputs: ResourceInputs): Resource {
  const extra = parseResourceAttributes(inputs.resourceAttributes);
  const app = config.serviceName !== '' && config.serviceVersion !== '' ? {} : findAppPackage(inputs.cwd);
  const attributes: Record<string, string> = {
    ...extra,
    [ATTR_SERVICE_NAME]: config.serviceName || extra[ATTR_SERVICE_NAME] || app.name || 'unknown_service:node',
    [ATTR_HOST_NAME]: extra[ATTR_HOST_NAME] || os.hostname(),
  };
  const version = config.serviceVersion || extra[ATTR_SERVICE_VERSION] || app.version;
  if (version) attributes[ATTR_SERVICE_VERSION] = version;
  const environment = config.environment || extra[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] || inputs.nodeEnv;
  if (environment) attributes[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] = environment;
  return resourceFromAttributes(attributes);
}
