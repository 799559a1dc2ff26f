// Look up and audit HBR backup clients from TypeScript: the same program as examples/yaml.
import * as hbr from "@pulumi-hbr-clients/hbr";

// A function: listed during preview and up, never kept in the state.
const activated = hbr.getBackupClientsOutput({
    clientType: "ECS_CLIENT",
    statuses: ["ACTIVATED"],
});

// A resource: kept in the stack, refreshed by `pulumi refresh`, an update when the fleet changes.
const ecs = new hbr.BackupClients("ecs", {
    clientType: "ECS_CLIENT",
    statuses: ["ACTIVATED"],
});

// Its outputs feed another resource: a second lookup narrowed to its instances...
const protectedClients = new hbr.BackupClients("protected", {
    clientType: "ECS_CLIENT",
    instanceIds: ecs.instanceIds,
    backupStatuses: ["PROTECTED"],
});

// ...and a function: the audit rules of `hbr-clients audit` over exactly its clients. As a
// gate it fails the deploy on more findings than maxFindings (default 0); this example
// reports the clients' state instead of gating on it.
const audit = hbr.auditBackupClientsOutput({
    clientType: "ECS_CLIENT",
    clientIds: ecs.clientIds,
    requireActivated: true,
    requireLatest: true,
    maxFindings: 1000000,
});

export const activatedClientIds = activated.clientIds;
export const ecsInstanceIds = ecs.instanceIds;
export const ecsTotalCount = ecs.totalCount;
export const protectedClientIds = protectedClients.clientIds;
export const instanceClientMap = ecs.instanceClientMap;
export const proxyPasswords = ecs.proxyPasswords; // a secret
export const auditSummary = audit.summary;
