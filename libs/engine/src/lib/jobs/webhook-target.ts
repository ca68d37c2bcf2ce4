import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ErrorCode, MarketplaceError } from '@aim/contracts';

/** Addresses a webhook may never reach unless configured: loopback, private, link-local, unique-local, reserved. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** Whether an address is an ordinary public one; IPv4 written inside IPv6 (`::ffff:a.b.c.d`) is judged as IPv4. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(address);
    if (mapped) return isPublicAddress(mapped[1]);
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
    if (hexMapped) {
      const [high, low] = [parseInt(hexMapped[1], 16), parseInt(hexMapped[2], 16)];
      return isPublicAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
    }
    return !NOT_PUBLIC.check(address, 'ipv6');
  }
  return !NOT_PUBLIC.check(address, 'ipv4');
}

const refused = (message: string) => new MarketplaceError(ErrorCode.ValidationFailed, message, { problems: [{ path: 'webhookUrl', message }] });

/** Checks the form of a webhook URL: absolute http(s), no credentials. Answers it normalised. */
export function parseWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refused(`webhookUrl "${url.slice(0, 200)}" is not an absolute http(s) URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refused(`webhookUrl must use http or https, not ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw refused('webhookUrl must not carry a user name or password');
  return parsed;
}

/**
 * Resolves the host and refuses it when any of its addresses is not public, unless private targets are
 * allowed (local testing). The same check runs again when the webhook is delivered, on the address
 * actually connected to, so a name that changes its answer later gains nothing.
 */
export async function checkWebhookTarget(url: string, allowPrivate: boolean): Promise<string> {
  const parsed = parseWebhookUrl(url);
  if (allowPrivate) return parsed.toString();
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: LookupAddress[];
  try {
    addresses = await new Promise((resolve, reject) => dnsLookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))));
  } catch {
    throw refused(`the host of webhookUrl, "${host}", does not resolve`);
  }
  if (!addresses.length || addresses.some(({ address }) => !isPublicAddress(address))) {
    throw refused(`webhookUrl must point to a public address; "${host}" is loopback, private, link-local or reserved`);
  }
  return parsed.toString();
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that only connects to public addresses (every redirect-free delivery uses it). */
export function publicOnlyLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const bad = addresses.find(({ address }) => !isPublicAddress(address));
    if (bad || !addresses.length) {
      const failure: NodeJS.ErrnoException = new Error(`refused to connect to a non-public address`);
      failure.code = 'EWEBHOOKTARGET';
      return callback(failure, []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}
