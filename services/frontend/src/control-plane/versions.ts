// Published versions: publish $LATEST as a frozen numbered copy, list, and delete one version.
import { randomUUID } from "node:crypto";
import { invalidParameter, resourceConflict, resourceNotFound } from "@lambent/errors";
import {
  LATEST,
  aliasUsesVersion,
  compareVersions,
  functionArn,
  isVersionNumber,
  lambdaTimestamp,
  type ArnScope,
  type FunctionStore,
  type FunctionVersionRecord,
} from "@lambent/registry/functions";
import type { ListVersionsResponse } from "@lambent/lambda-api";
import { toFunctionConfiguration } from "./function-configuration.js";
import { paginate, type ListOptions } from "./pagination.js";
import { checkCodeSha256, checkRevision } from "./preconditions.js";

export interface PublishOptions {
  /** Precondition: $LATEST's code must have this hash. */
  codeSha256?: string;
  /** Precondition: $LATEST must have this RevisionId. */
  revisionId?: string;
  /** The version's description; $LATEST's when not given. */
  description?: string;
}

export class VersionOperations {
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
  ) {}

  /**
   * Freezes $LATEST into the next version number, or answers the last published version when $LATEST's
   * code and configuration, its description included, are as they were when that version was published
   * (PublishVersion's own Description alone makes no new version). The number comes from a compare-and-set
   * counter, so two publishers never share one and a deleted version's number is never handed out again.
   */
  async publish(functionName: string, options: PublishOptions = {}): Promise<FunctionVersionRecord> {
    for (;;) {
      const latest = (await this.functions.get(functionName, LATEST))?.record;
      if (!latest) throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
      checkCodeSha256(latest.codeSha256, options.codeSha256);
      checkRevision(latest.revisionId, options.revisionId);
      const counter = await this.functions.readVersionCounter(functionName);
      if (counter.lastVersion > 0) {
        const last = await this.functions.get(functionName, String(counter.lastVersion));
        if (last && unchangedSince(latest, last.record)) return last.record;
      }
      const number = await this.functions.claimVersionNumber(functionName, counter);
      if (number === undefined) continue;
      const version: FunctionVersionRecord = {
        ...latest,
        version: String(number),
        description: options.description ?? latest.description,
        revisionId: randomUUID(),
        lastModified: lambdaTimestamp(),
        publishedFromDescription: latest.description,
        // Tags belong to the function and stay on $LATEST.
        tags: {},
      };
      await this.functions.create(version);
      return version;
    }
  }

  async list(functionName: string, options: ListOptions): Promise<ListVersionsResponse> {
    const versions = await this.functions.listVersions(functionName);
    if (!versions.includes(LATEST)) throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    const page = paginate(versions, (version) => version, compareVersions, options);
    const records = await Promise.all(page.items.map((version) => this.functions.get(functionName, version)));
    const response: ListVersionsResponse = {
      // Lambda names each version by its qualified ARN here, $LATEST's too.
      Versions: records.flatMap((stored) => (stored ? [toFunctionConfiguration(this.scope, stored.record, "listed", stored.record.version)] : [])),
    };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
  }

  /** Deletes one published version, unless an alias routes any traffic to it. */
  async deleteVersion(functionName: string, version: string): Promise<void> {
    if (!isVersionNumber(version)) {
      throw invalidParameter(`DeleteFunction deletes a version, not an alias: use DeleteAlias to delete ${version}`);
    }
    const users = (await this.functions.aliases.list(functionName)).filter((alias) => aliasUsesVersion(alias, version));
    if (users.length > 0) {
      throw resourceConflict(
        `Unable to delete version because the following aliases reference it: [${users.map((alias) => alias.name).join(", ")}]`,
      );
    }
    if (!(await this.functions.deleteVersion(functionName, version))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName, version)}`);
    }
  }
}

/** Whether $LATEST is as it was when `version` was published from it, its description included. */
function unchangedSince(latest: FunctionVersionRecord, version: FunctionVersionRecord): boolean {
  return sameCodeAndConfiguration(latest, version) && latest.description === (version.publishedFromDescription ?? version.description);
}

/**
 * Whether two records run the same code with the same configuration. The description is the
 * version's own label and RevisionId, LastModified and tags are bookkeeping, so none of them counts.
 */
export function sameCodeAndConfiguration(a: FunctionVersionRecord, b: FunctionVersionRecord): boolean {
  return (
    a.codeSha256 === b.codeSha256 &&
    a.bundleObject === b.bundleObject &&
    a.handlerFile === b.handlerFile &&
    a.runtime === b.runtime &&
    a.handler === b.handler &&
    a.role === b.role &&
    a.memorySize === b.memorySize &&
    a.timeout === b.timeout &&
    a.ephemeralStorageMb === b.ephemeralStorageMb &&
    a.deadLetterTargetArn === b.deadLetterTargetArn &&
    (a.tracingMode ?? "PassThrough") === (b.tracingMode ?? "PassThrough") &&
    JSON.stringify(a.logging ?? null) === JSON.stringify(b.logging ?? null) &&
    sameList(a.architectures, b.architectures) &&
    sameMap(a.environment, b.environment)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function sameMap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
