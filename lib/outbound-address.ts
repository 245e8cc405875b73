import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * The outbound address policy: which destinations the service may send requests to on an
 * admin's behalf (notification webhooks, Shared Signals receivers, later connectors).
 *
 * - URLs are checked and normalised when they are written: http(s) only, no user info, no
 *   whitespace, control characters or backslashes (which parsers disagree on); what is
 *   stored is the parser's own serialisation, so what is stored is what is sent.
 * - Addresses are checked when a request is SENT, after resolving the host: only public
 *   unicast addresses are allowed — loopback, private (RFC 1918), link-local (and so the
 *   cloud metadata addresses 169.254.169.254 and fd00:ec2::254), carrier-grade NAT,
 *   unique-local, multicast, unspecified, reserved and the IPv6 ranges that embed an IPv4
 *   address are refused — unless the operator allows them (`OUTBOUND_ALLOWED_DESTINATIONS`:
 *   addresses, CIDR ranges or exact host names).
 */

export interface OutboundPolicy {
  /** Whether a request to `host` may connect to `address` (an IP address as the resolver returns it). */
  allows(host: string, address: string): boolean;
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** One entry of the allow list: an address, a CIDR range or a host name. Null when it is none of them. */
function parseEntry(entry: string): { range: Range } | { host: string } | null {
  if (ipaddr.isValidCIDR(entry)) return { range: ipaddr.parseCIDR(entry) };
  if (isIP(entry)) {
    const address = ipaddr.process(entry);
    return { range: [address, address.kind() === 'ipv4' ? 32 : 128] };
  }
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)) return { host: entry.toLowerCase() };
  return null;
}

/** The entries of an allow list that are not an address, a CIDR range or a host name (for configuration errors). */
export function invalidAllowListEntries(allowList: string): string[] {
  return splitList(allowList).filter((entry) => parseEntry(entry) === null);
}

function splitList(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  return isIP(bare) ? ipaddr.process(bare) : null;
}

/** Only public unicast addresses are reachable by default (ipaddr.js names every other special range). */
export function isPublicAddress(address: string): boolean {
  const parsed = parseAddress(address);
  return parsed !== null && parsed.range() === 'unicast';
}

export function outboundPolicy(allowList = ''): OutboundPolicy {
  const entries = splitList(allowList).map(parseEntry);
  const ranges = entries.flatMap((entry) => (entry && 'range' in entry ? [entry.range] : []));
  const hosts = new Set(entries.flatMap((entry) => (entry && 'host' in entry ? [entry.host] : [])));
  return {
    allows(host, address) {
      const parsed = parseAddress(address);
      if (!parsed) return false;
      if (parsed.range() === 'unicast' || hosts.has(host.toLowerCase())) return true;
      return ranges.some(([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits));
    },
  };
}

export type OutboundUrlCheck = { ok: true; url: string } | { ok: false; problem: string };

export const MAX_OUTBOUND_URL_LENGTH = 2000;

/**
 * Checks and normalises a URL an admin gives as a destination. Refuses what parsers read
 * differently (whitespace, control characters, backslashes) and credentials in the URL
 * (they would be sent to whoever the host is, and logged with it); the fragment is dropped.
 */
export function normaliseOutboundUrl(raw: string): OutboundUrlCheck {
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f\\]/.test(raw)) return { ok: false, problem: 'No whitespace, control characters or backslashes.' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'An absolute http(s) URL.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, problem: 'An http(s) URL.' };
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/?#]*@/i.test(raw)) return { ok: false, problem: 'No user name or password in the URL.' };
  if (url.hostname === '') return { ok: false, problem: 'A URL with a host.' };
  url.hash = '';
  if (url.href.length > MAX_OUTBOUND_URL_LENGTH) return { ok: false, problem: `At most ${MAX_OUTBOUND_URL_LENGTH} characters.` };
  return { ok: true, url: url.href };
}

/**
 * A URL whose host is an IP address the policy refuses (decimal, hex and bracketed forms are
 * already normalised by the URL parser): refused when it is written, not only when sent.
 * Host names are judged when sent, on what they resolve to then.
 */
export function refusedAddressLiteral(url: string, policy: OutboundPolicy): boolean {
  const { hostname } = new URL(url);
  const address = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isIP(address) !== 0 && !policy.allows(address, address);
}
