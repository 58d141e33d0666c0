/**
 * Client IP privacy: IPv4 truncated to its /24, IPv6 to its /48 (IPv4-mapped IPv6 treated as IPv4), the full
 * address, or nothing, per the `ipMode` config.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { IpMode } from '../config/config-types';
import { boundedMemo } from '../runtime/bounded-memo';

const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** Strips brackets, a zone (`%eth0`) and the IPv4-mapped prefix; returns '' for anything that is not an IP. */
export function normalizeIp(ip: string): string {
  let s = ip.trim();
  if (s.startsWith('[')) s = s.slice(1, s.indexOf(']') === -1 ? undefined : s.indexOf(']'));
  // "203.0.113.7:51234" (X-Forwarded-For with a port)
  const v4Port = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):\d+$/.exec(s);
  if (v4Port) s = v4Port[1];
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  const mapped = MAPPED_V4.exec(s);
  if (mapped) s = mapped[1];
  if (isIPv4(s)) return s;
  if (isIPv6(s)) return s.toLowerCase();
  return '';
}

/** The first three groups of an IPv6 address, expanding `::` where needed. */
function ipv6Prefix48(ip: string): string {
  const [head, tail] = ip.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups; it never reaches the first three.
  const groups = tail === undefined ? headGroups : [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const first = groups.slice(0, 3).map((g) => (g.includes('.') ? '0' : g.replace(/^0+(?=.)/, '')));
  while (first.length < 3) first.push('0');
  return `${first.join(':')}::`;
}

/** Clients repeat: the last results per mode and raw address, so a busy server parses each address once. */
const CACHE_LIMIT = 4096;
const memos = {
  anonymize: boundedMemo(CACHE_LIMIT, (ip) => computeAnonymized(ip, 'anonymize')),
  full: boundedMemo(CACHE_LIMIT, (ip) => computeAnonymized(ip, 'full')),
};

/**
 * `anonymizeIp('203.0.113.77', 'anonymize')` → '203.0.113.0'; `anonymizeIp('2001:db8:85a3:8d3::1', 'anonymize')` →
 * '2001:db8:85a3::'. Returns undefined for mode 'drop' or for input that is not an IP address.
 */
export function anonymizeIp(ip: string, mode: IpMode): string | undefined {
  if (mode === 'drop') return undefined;
  return memos[mode](ip);
}

function computeAnonymized(ip: string, mode: 'anonymize' | 'full'): string | undefined {
  const normalized = normalizeIp(ip);
  if (normalized === '') return undefined;
  if (mode === 'full') return normalized;
  if (normalized.includes('.') && !normalized.includes(':')) {
    return `${normalized.slice(0, normalized.lastIndexOf('.'))}.0`;
  }
  return ipv6Prefix48(normalized);
}
