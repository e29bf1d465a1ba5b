CREATE TABLE "local_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"object_kind" text NOT NULL,
	"local_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "local_changes_object_kind_check" CHECK ("local_changes"."object_kind" in ('deal', 'partner', 'customer', 'partner_tag'))
);
--> statement-breakpoint
ALTER TABLE "local_changes" ADD CONSTRAINT "local_changes_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "local_changes_pending_idx" ON "local_changes" USING btree ("installation_id","processed_at","created_at");