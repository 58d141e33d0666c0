/**
 * Client address text for the IPv6 column: a valid IPv4 or IPv6 literal (brackets and zone id removed), or
 * '::' (unspecified) when missing or not an address, so a bad value never fails the batch's INSERT.
 */
import { isIP } from 'node:net';

export const UNKNOWN_IP = '::';

export function clientIpOf(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 64) return UNKNOWN_IP;
  let ip = value.trim();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const zone = ip.indexOf('%');
  if (zone !== -1) ip = ip.slice(0, zone);
  return isIP(ip) === 0 ? UNKNOWN_IP : ip;
}
