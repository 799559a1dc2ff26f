// Command hbr-go looks up the HBR backup clients of a fleet from Go: a lookup function, a
// BackupClients resource whose instance IDs feed a second one, and the stack's outputs.
package main

import (
	"github.com/pulumi-hbr-clients/pulumi-hbr-clients/sdk/go/hbr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		// A function: listed during preview and up, never kept in the state.
		activated, err := hbr.LookupBackupClients(ctx, &hbr.LookupBackupClientsArgs{
			ClientType: "ECS_CLIENT",
			Statuses:   []string{"ACTIVATED"},
		})
		if err != nil {
			return err
		}

		// A resource: kept in the stack, refreshed by `pulumi refresh`, an update when the
		// fleet changes.
		ecs, err := hbr.NewBackupClients(ctx, "ecs", &hbr.BackupClientsArgs{
			ClientType: pulumi.String("ECS_CLIENT"),
			Statuses:   pulumi.StringArray{pulumi.String("ACTIVATED")},
		})
		if err != nil {
			return err
		}

		// Its outputs feed other resources: a second lookup narrowed to its instances.
		protected, err := hbr.NewBackupClients(ctx, "protected", &hbr.BackupClientsArgs{
			ClientType:     pulumi.String("ECS_CLIENT"),
			InstanceIds:    ecs.InstanceIds,
			BackupStatuses: pulumi.StringArray{pulumi.String("PROTECTED")},
		})
		if err != nil {
			return err
		}

		ctx.Export("activatedClientIds", pulumi.ToStringArray(activated.ClientIds))
		ctx.Export("ecsInstanceIds", ecs.InstanceIds)
		ctx.Export("ecsTotalCount", ecs.TotalCount)
		ctx.Export("protectedClientIds", protected.ClientIds)
		ctx.Export("instanceClientMap", ecs.InstanceClientMap)
		ctx.Export("proxyPasswords", ecs.ProxyPasswords)
		return nil
	})
}
