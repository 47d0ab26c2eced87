// The nats-server configuration that enforces Lambent's permission table: an `authorization` block with one
// NKey user per service identity and its permissions (natsPermissionsOf in @lambent/protocol). Nothing else
// may connect: nats-server refuses a client whose key is not listed.
import { natsPermissionsOf, type SubjectPermission } from "@lambent/protocol";
import { allCredentials, type NatsCredentials } from "./credentials.js";

function permissionBlock(permission: SubjectPermission): Record<string, string[]> {
  return permission.deny.length > 0 ? { allow: permission.allow, deny: permission.deny } : { allow: permission.allow };
}

/** The users and their permissions, as nats-server config text (JSON is valid there). */
export function natsAuthorizationBlock(credentials: NatsCredentials): string {
  const users = allCredentials(credentials).map((credential) => {
    const permissions = natsPermissionsOf(credential.identity);
    return {
      nkey: credential.publicKey,
      permissions: { publish: permissionBlock(permissions.publish), subscribe: permissionBlock(permissions.subscribe) },
    };
  });
  const roles = allCredentials(credentials).map((credential) =>
    credential.identity.role === "worker" ? `worker ${credential.identity.workerNodeId}` : credential.identity.role,
  );
  return [
    `# Lambent's services, one NKey user each: ${roles.join(", ")}.`,
    `authorization ${JSON.stringify({ users }, null, 2)}`,
    "",
  ].join("\n");
}

export interface NatsTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** A `tls` block: the server's certificate, and clients verified against the CA when `verifyClients` is set. */
export function natsTlsBlock(files: NatsTlsFiles, verifyClients: boolean): string {
  return `tls ${JSON.stringify({ cert_file: files.certFile, key_file: files.keyFile, ca_file: files.caFile, verify: verifyClients, timeout: 2 }, null, 2)}\n`;
}
