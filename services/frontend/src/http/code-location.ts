// GetFunction's Code.Location: a URL of the frontend from which a function's deployment package downloads,
// valid for ten minutes as Lambda's presigned S3 URLs are. It is signed with a key derived from the
// cluster's secret (LAMBENT_SECRETS_KEY), so any frontend of the cluster serves a URL another one made,
// and a URL cannot be altered to name another package or to live longer.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** Where packages download from, beneath the frontend's public URL. */
export const CODE_DOWNLOAD_PATH = "/lambent/code";

/** Lambda's presigned package URLs last ten minutes. */
export const CODE_LOCATION_LIFETIME_SECONDS = 600;

const EXPIRES = "X-Lambent-Expires";
const SIGNATURE = "X-Lambent-Signature";

export type CodeLocationCheck = "valid" | "expired" | "invalid";

export class CodeLocations {
  private readonly key: Buffer;

  /**
   * @param secret the cluster's secrets key; the URL key is derived from it, so the secret itself never signs
   * @param publicUrl the frontend's public base URL, read when a URL is made
   */
  constructor(
    secret: Uint8Array,
    private readonly publicUrl: () => string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "lambent code location", 32));
  }

  /** The download URL of a stored package (`package/<sha256>`), signed until ten minutes from now. */
  locationOf(packageObject: string): string {
    const expires = Math.floor(this.now() / 1000) + CODE_LOCATION_LIFETIME_SECONDS;
    const query = new URLSearchParams({ [EXPIRES]: String(expires), [SIGNATURE]: this.sign(packageObject, expires) });
    return `${this.publicUrl()}${CODE_DOWNLOAD_PATH}/${packageObject}?${query.toString()}`;
  }

  /** Whether a request for `packageObject` carries a signature this cluster made, and still in time. */
  check(packageObject: string, query: URLSearchParams): CodeLocationCheck {
    const expires = Number(query.get(EXPIRES));
    const signature = query.get(SIGNATURE) ?? "";
    if (!Number.isSafeInteger(expires) || !/^[0-9a-f]{64}$/.test(signature)) return "invalid";
    const expected = Buffer.from(this.sign(packageObject, expires), "hex");
    if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) return "invalid";
    return expires * 1000 < this.now() ? "expired" : "valid";
  }

  private sign(packageObject: string, expires: number): string {
    return createHmac("sha256", this.key).update(`${packageObject}\n${expires}`).digest("hex");
  }
}
