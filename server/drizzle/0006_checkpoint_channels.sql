ALTER TABLE "sync_checkpoints" ADD COLUMN "channel" text DEFAULT 'poll' NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_checkpoints" DROP CONSTRAINT "sync_checkpoints_pkey";
--> statement-breakpoint
ALTER TABLE "sync_checkpoints" ADD CONSTRAINT "sync_checkpoints_pkey" PRIMARY KEY("installation_id","system","object_kind","channel");--> statement-breakpoint
ALTER TABLE "sync_checkpoints" ADD CONSTRAINT "sync_checkpoints_channel_check" CHECK ("sync_checkpoints"."channel" in ('poll', 'change_events'));