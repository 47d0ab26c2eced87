// Stands in for `tr46` (full UTS #46 mapping, a 270 KB table) under whatwg-url: host names are
// NFC-normalised and lower-cased, and non-ASCII labels Punycode-encoded. That covers the names
// functions call in practice while keeping every isolate's runtime small.

import { vendor } from "../vendor.js";

const punycode = vendor.punycode;

export function toASCII(domainName: string, options: { verifyDNSLength?: boolean } = {}): string | null {
  const labels = domainName.normalize("NFC").toLowerCase().replace(/[\u3002\uff0e\uff61]/g, ".").split(".");
  try {
    const ascii = labels.map((label) => (/[^\0-\x7f]/.test(label) ? `xn--${punycode().encode(label)}` : label));
    if (options.verifyDNSLength) {
      const total = ascii.join(".").length;
      if (total === 0 || total > 253 || ascii.some((label) => label.length === 0 || label.length > 63)) return null;
    }
    return ascii.join(".");
  } catch {
    return null;
  }
}

export function toUnicode(domainName: string): { domain: string; error: boolean } {
  try {
    return { domain: punycode().toUnicode(domainName.toLowerCase()), error: false };
  } catch {
    return { domain: domainName, error: true };
  }
}
